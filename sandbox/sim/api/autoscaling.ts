// Auto Scaling API (2011-01-01): the operations the reconciler uses.
import { SimError, validationError } from "../errors";
import { subnetId, terminateInstance } from "../fleet";
import type { SimInstance } from "../model";
import type { World } from "../world";
import type { Operation } from "./input";
import { paginate } from "./paging";

const INSTANCE_TYPE = "m5.large";

export const autoScalingOperations: Record<string, Operation> = {
  DescribeAutoScalingGroups(world, input) {
    const names = input.strings("AutoScalingGroupNames");
    const maxRecords = input.optionalInt("MaxRecords", 1, 100) ?? 50;
    const groupName = world.options.groupName;
    const groups = names.length === 0 || names.includes(groupName) ? [groupView(world)] : [];
    const page = paginate(groups, maxRecords, input, "InvalidNextToken");
    return { AutoScalingGroups: page.items, NextToken: page.nextToken };
  },

  SetInstanceHealth(world, input) {
    const instanceId = input.string("InstanceId");
    const health = input.string("HealthStatus");
    if (health !== "Healthy" && health !== "Unhealthy") {
      throw validationError("autoscaling", `Invalid health status ${health}`);
    }
    const instance = world.instances.get(instanceId);
    if (!instance || instance.lifecycle === "Gone") {
      throw new SimError(
        "ValidationError",
        `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
      );
    }
    world.note(instanceId, `SetInstanceHealth ${health}`);
    if (health === "Unhealthy") terminateInstance(world, instance, "user");
    return {};
  },
};

function groupView(world: World): Record<string, unknown> {
  const { groupName, instanceCount, availabilityZones, targetGroupArns, timings } = world.options;
  const launchTemplate = {
    LaunchTemplateId: "lt-0123456789abcdef0",
    LaunchTemplateName: `${groupName}-lt`,
    Version: "$Latest",
  };
  // Terminating instances stay listed (Terminating while the group drains them or without the
  // hook, Terminating:Wait / :Proceed with it) until they are gone.
  const members = [...world.instances.values()].filter((instance) => instance.lifecycle !== "Gone");
  return {
    AutoScalingGroupName: groupName,
    AutoScalingGroupARN: world.groupArn,
    LaunchTemplate: launchTemplate,
    MinSize: instanceCount,
    MaxSize: instanceCount,
    DesiredCapacity: instanceCount,
    DefaultCooldown: 300,
    AvailabilityZones: availabilityZones,
    LoadBalancerNames: [],
    TargetGroupARNs: targetGroupArns,
    HealthCheckType: "ELB",
    HealthCheckGracePeriod: Math.round(timings.elbHealthGraceMs / 1000),
    Instances: members.map((instance) => instanceView(instance, launchTemplate)),
    CreatedTime: new Date(world.createdAt),
    SuspendedProcesses: [
      {
        ProcessName: "AddToLoadBalancer",
        SuspensionReason: `User suspended at ${new Date(world.createdAt).toISOString()}`,
      },
    ],
    VPCZoneIdentifier: availabilityZones.map((_, index) => subnetId(index)).join(","),
    EnabledMetrics: [],
    Tags: [],
    TerminationPolicies: ["Default"],
    NewInstancesProtectedFromScaleIn: false,
    CapacityRebalance: false,
  };
}

function instanceView(instance: SimInstance, launchTemplate: object): Record<string, unknown> {
  return {
    InstanceId: instance.instanceId,
    InstanceType: INSTANCE_TYPE,
    AvailabilityZone: instance.availabilityZone,
    LifecycleState: instance.lifecycle,
    HealthStatus: instance.health,
    LaunchTemplate: launchTemplate,
    ProtectedFromScaleIn: false,
  };
}
