// The AWS calls that change the world, one instance at a time. Each throws on the first failure
// of its calls (after the SDK's own retries); callers turn that into an Outcome.
import { SetInstanceHealthCommand } from "@aws-sdk/client-auto-scaling";
import {
  DeregisterTargetsCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CancelCommandCommand } from "@aws-sdk/client-ssm";
import type { Deps } from "./deps";

/** Registers the instance in each target group (in parallel). */
export async function registerTargets(
  deps: Deps,
  instanceId: string,
  targetGroupArns: string[],
): Promise<void> {
  await inEachTargetGroup(deps, RegisterTargetsCommand, instanceId, targetGroupArns);
}

/** Deregisters the instance from each target group (in parallel). */
export async function deregisterTargets(
  deps: Deps,
  instanceId: string,
  targetGroupArns: string[],
): Promise<void> {
  await inEachTargetGroup(deps, DeregisterTargetsCommand, instanceId, targetGroupArns);
}

/** Both target calls take the same input: one target group, one instance target. */
async function inEachTargetGroup(
  deps: Deps,
  Command: typeof RegisterTargetsCommand | typeof DeregisterTargetsCommand,
  instanceId: string,
  targetGroupArns: string[],
): Promise<void> {
  await allOrFirstError(
    targetGroupArns.map((arn) =>
      deps.clients.elbv2.send(new Command({ TargetGroupArn: arn, Targets: [{ Id: instanceId }] })),
    ),
  );
}

/**
 * Tells the group the instance is unhealthy so that it replaces it now. The grace period is not
 * respected: the instance is past it (it was warm or active), and waiting would leave a fenced
 * instance holding a slot of the group.
 */
export async function markUnhealthy(deps: Deps, instanceId: string): Promise<void> {
  await deps.clients.autoScaling.send(
    new SetInstanceHealthCommand({
      InstanceId: instanceId,
      HealthStatus: "Unhealthy",
      ShouldRespectGracePeriod: false,
    }),
  );
}

/** Cancels one instance's invocation of an activation command. */
export async function cancelActivation(
  deps: Deps,
  commandId: string,
  instanceId: string,
): Promise<void> {
  await deps.clients.ssm.send(
    new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] }),
  );
}

/** Waits for every call (none is left running unobserved), then throws the first failure. */
async function allOrFirstError(calls: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
}
