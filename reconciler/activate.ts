// One promotion: run the activation document on a warm instance, wait for its verdict, and only
// then register it in every target group.
//
// Why register only after the command succeeded: the group's health-check type is ELB, so the
// group replaces a *registered* instance that the NLB reports unhealthy. Registered before its
// application listens, a promoted instance could fail its first health checks and be killed
// mid-promotion. Registered after success, the application already listens when the NLB starts
// checking (NLB registration itself takes minutes; the planner's promotion grace covers that
// window). Rule 1 still counts the instance as active from SendCommand on (in-flight command).
import { GetCommandInvocationCommand, SendCommandCommand } from "@aws-sdk/client-ssm";
import type { Deps } from "./deps";
import { describeError, errorName } from "./errors";
import { deregisterTargets, markUnhealthy, registerTargets } from "./mutations";
import type { Action, CommandStatus, Outcome } from "./types";

/** An activation is only started with more than this left: delivery plus a useful wait. */
export const ACTIVATE_MIN_REMAINING_MS = 30_000;
/** Polling stops when less than this is left, so the invocation still logs before its timeout. */
export const POLL_DEADLINE_MS = 15_000;
/** SendCommand's delivery timeout: a command not started on the instance by then never runs. */
export const DELIVERY_TIMEOUT_SECONDS = 60;

const FAILED_STATUSES: string[] = ["Failed", "TimedOut", "Cancelled"];

/** What act reports for activate/register: an Outcome plus when the registration completed. */
export interface ActOutcome extends Outcome {
  /** deps.now() once every RegisterTargets call succeeded (feeds the FailoverSeconds metric). */
  registeredAt?: number;
}

type ActivateAction = Extract<Action, { kind: "activate" }>;
export type ActivationResult = Omit<ActOutcome, "action" | "durationMs">;

/** Runs the activation of `action.instanceId` to a verdict; never throws. */
export async function activate(deps: Deps, action: ActivateAction): Promise<ActivationResult> {
  const left = deps.remainingMs();
  if (left <= ACTIVATE_MIN_REMAINING_MS) {
    return { ok: false, error: `skipped: ${left} ms left, an activation needs more` };
  }
  let commandId: string | undefined;
  try {
    commandId = await sendActivation(deps, action);
    const status = await waitForVerdict(deps, commandId, action.instanceId);
    if (status === undefined) {
      // Still running at our deadline: the next invocation sees it in flight (counted as active)
      // and registers the instance once the command succeeded (planner rule 4).
      return { ok: true, commandId, commandStatus: "InProgress" };
    }
    if (status === "Success") {
      return await registerActivated(deps, action.instanceId, commandId);
    }
    return await fenceFailed(deps, action.instanceId, commandId, status);
  } catch (error) {
    const result: ActivationResult = { ok: false, error: describeError(error) };
    if (commandId !== undefined) result.commandId = commandId;
    return result;
  }
}

async function sendActivation(deps: Deps, action: ActivateAction): Promise<string> {
  const output = await deps.clients.ssm.send(
    new SendCommandCommand({
      DocumentName: deps.settings.documentName,
      InstanceIds: [action.instanceId],
      // Read back by observe (parseDeficitSince): the failover clock survives invocations.
      Comment: `warm-standby deficit-since=${action.deficitSince}`,
      TimeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
    }),
  );
  const commandId = output.Command?.CommandId;
  if (!commandId) throw new Error("SendCommand returned no CommandId");
  return commandId;
}

/**
 * Polls GetCommandInvocation until a terminal status (returned) or until less than
 * POLL_DEADLINE_MS is left (undefined). The last sleep is shortened to end at the deadline, so a
 * long poll interval cannot carry the invocation past it, and one last poll happens there.
 */
async function waitForVerdict(
  deps: Deps,
  commandId: string,
  instanceId: string,
): Promise<CommandStatus | undefined> {
  for (;;) {
    const untilDeadline = deps.remainingMs() - POLL_DEADLINE_MS;
    if (untilDeadline <= 0) return undefined;
    await deps.sleep(Math.min(deps.settings.pollIntervalMs, untilDeadline));
    const status = await invocationStatus(deps, commandId, instanceId);
    if (status === "Success" || (status && FAILED_STATUSES.includes(status))) return status;
  }
}

/** The invocation's status; undefined while SSM does not know it yet (right after SendCommand). */
async function invocationStatus(
  deps: Deps,
  commandId: string,
  instanceId: string,
): Promise<CommandStatus | undefined> {
  try {
    const output = await deps.clients.ssm.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
    return output.Status as CommandStatus | undefined;
  } catch (error) {
    if (errorName(error) === "InvocationDoesNotExist") return undefined;
    throw error;
  }
}

async function registerActivated(
  deps: Deps,
  instanceId: string,
  commandId: string,
): Promise<ActivationResult> {
  try {
    await registerTargets(deps, instanceId, deps.settings.targetGroupArns);
  } catch (error) {
    // The command succeeded: the next invocation registers it (planner rule 4).
    return { ok: false, commandId, commandStatus: "Success", error: describeError(error) };
  }
  return { ok: true, commandId, commandStatus: "Success", registeredAt: deps.now() };
}

/**
 * A failed activation may have started part of the application (and taken its locks): the
 * instance never returns to the warm pool. Deregister it everywhere (in case anyone registered it)
 * and have the group replace it; the next round promotes the next candidate.
 */
async function fenceFailed(
  deps: Deps,
  instanceId: string,
  commandId: string,
  status: CommandStatus,
): Promise<ActivationResult> {
  const fencing = await Promise.allSettled([
    deregisterTargets(deps, instanceId, deps.settings.targetGroupArns),
    markUnhealthy(deps, instanceId),
  ]);
  const problems = fencing
    .filter((result): result is PromiseRejectedResult => result.status === "rejected")
    .map((result) => describeError(result.reason));
  const error = [`activation ${status}`, ...problems].join("; ");
  return { ok: false, commandId, commandStatus: status, error };
}
