// Elastic Load Balancing v2 API (2015-12-01): the operations the reconciler uses.
import { CAPACITY_TAG_KEY } from "../../../reconciler/types";
import { SimError, validationError } from "../errors";
import type { SimTarget } from "../model";
import { deregisterTarget, registerTarget, targetsOf } from "../targets";
import { targetKey, type World } from "../world";
import type { InputReader, Operation } from "./input";

export const elbv2Operations: Record<string, Operation> = {
  DescribeTags(world, input) {
    const arns = input.strings("ResourceArns");
    if (arns.length < 1 || arns.length > 20) {
      throw validationError("elbv2", "ResourceArns must name between 1 and 20 resources");
    }
    return { TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tagsOf(world, arn) })) };
  },

  DescribeTargetHealth(world, input) {
    const { arn, port } = targetGroup(world, input);
    const requested = targetList(input, port, false);
    const descriptions =
      requested.length === 0
        ? targetsOf(world, arn).map((target) => describe(target.instanceId, target.port, target))
        : requested.map(({ id, port: targetPort }) =>
            describe(id, targetPort, world.targets.get(targetKey(arn, id))),
          );
    return { TargetHealthDescriptions: descriptions };
  },

  RegisterTargets(world, input) {
    const { arn, port } = targetGroup(world, input);
    const targets = targetList(input, port, true);
    const notRunning = targets.filter(({ id }) => world.instances.get(id)?.ec2State !== "running");
    if (notRunning.length > 0) {
      const ids = notRunning.map(({ id }) => `'${id}'`).join(", ");
      throw new SimError(
        "InvalidTarget",
        `The following targets are not in a running state and cannot be registered: ${ids}`,
      );
    }
    for (const target of targets) registerTarget(world, arn, target.id, target.port);
    return {};
  },

  DeregisterTargets(world, input) {
    const { arn, port } = targetGroup(world, input);
    for (const target of targetList(input, port, true)) deregisterTarget(world, arn, target.id);
    return {};
  },
};

const NOT_REGISTERED = {
  State: "unused",
  Reason: "Target.NotRegistered",
  Description: "Target is not registered to the target group",
};

function describe(id: string, port: number, target: SimTarget | undefined) {
  return {
    Target: { Id: id, Port: port },
    HealthCheckPort: String(port),
    TargetHealth: target
      ? { State: target.state, Reason: target.reason, Description: target.description }
      : NOT_REGISTERED,
  };
}

function tagsOf(world: World, arn: string): { Key: string; Value: string }[] {
  const { loadBalancerArn, targetGroupArns, groupName } = world.options;
  if (arn === loadBalancerArn) {
    const name = { Key: "Name", Value: groupName };
    return world.capacityTag === null
      ? [name]
      : [name, { Key: CAPACITY_TAG_KEY, Value: world.capacityTag }];
  }
  if (targetGroupArns.includes(arn)) return [{ Key: "Name", Value: groupName }];
  if (arn.includes(":loadbalancer/")) {
    throw new SimError("LoadBalancerNotFound", `Load balancer '${arn}' not found`);
  }
  if (arn.includes(":targetgroup/")) {
    throw new SimError("TargetGroupNotFound", `Target group '${arn}' not found`);
  }
  throw validationError("elbv2", `'${arn}' is not a valid load balancer or target group ARN`);
}

function targetGroup(world: World, input: InputReader): { arn: string; port: number } {
  const arn = input.string("TargetGroupArn");
  const index = world.options.targetGroupArns.indexOf(arn);
  if (index < 0) throw new SimError("TargetGroupNotFound", `Target group '${arn}' not found`);
  return { arn, port: world.options.targetPorts[index] };
}

function targetList(
  input: InputReader,
  defaultPort: number,
  required: boolean,
): { id: string; port: number }[] {
  const targets = input.records("Targets").map((record) => {
    const target = input.nested(record);
    return { id: target.string("Id"), port: target.optionalInt("Port", 1, 65535) ?? defaultPort };
  });
  if (required && targets.length === 0) throw validationError("elbv2", "Targets is required");
  return targets;
}
