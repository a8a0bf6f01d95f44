// observe: one snapshot of the world from a few batched calls. The number of calls does not grow
// with the group's size: the group, the capacity tag, one DescribeTargetHealth per target group and
// the activation history (paginated) always; launch times and SSM agent status (two more batched
// calls) only when the plan must rank instances (needsFacts), so a steady state costs 4 calls with
// one target group, whether the group has 2 instances or 100.
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import {
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeInstanceInformationCommand, ListCommandsCommand } from "@aws-sdk/client-ssm";
import { plannerOf, type Deps } from "./deps";
import {
  CAPACITY_TAG_KEY,
  type Activation,
  type CommandStatus,
  type GroupInstance,
  type InstanceFacts,
  type Registration,
  type Snapshot,
} from "./types";

/** Activations older than this are not listed: far beyond any activation timeout. */
export const ACTIVATION_HISTORY_MS = 7 * 24 * 3600 * 1000;
/** DescribeInstanceInformation accepts at most 50 ids per InstanceIds filter and page. */
export const INSTANCE_INFORMATION_BATCH = 50;
/** EC2 rejects more filter values than this in one call (FilterLimitExceeded). */
export const EC2_FILTER_VALUES_MAX = 200;

/** Observes the group, its load balancer, target groups and activations at deps.now(). */
export async function observe(deps: Deps, signalAt?: number): Promise<Snapshot> {
  const now = deps.now();
  const [group, desiredActive, registrations, activations] = await Promise.all([
    describeGroup(deps),
    describeCapacityTag(deps),
    describeRegistrations(deps),
    listActivations(deps, now),
  ]);
  const snapshot: Snapshot = {
    now,
    groupFound: group.found,
    desiredActive,
    instances: group.instances,
    registrations,
    activations,
  };
  if (signalAt !== undefined) snapshot.signalAt = signalAt;
  if (plannerOf(deps).needsFacts(snapshot, deps.settings)) {
    const inService = group.instances
      .filter((instance) => instance.lifecycleState === "InService")
      .map((instance) => instance.instanceId);
    snapshot.facts = await describeFacts(deps, inService);
  }
  return snapshot;
}

/** The capacity tag's value when it is a plain non-negative integer ("2"), else null. */
export function parseCapacity(value: string | undefined): number | null {
  if (value === undefined || !/^[0-9]+$/.test(value)) return null;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : null;
}

/** The deficitSince that act writes into an activation's Comment, if the comment carries one. */
export function parseDeficitSince(comment: string | undefined): number | undefined {
  const match = /warm-standby deficit-since=([0-9]+)/.exec(comment ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * ISO-8601 in whole seconds ("2024-07-07T00:00:00Z"), the form the SSM API reference gives for
 * the InvokedAfter filter; toISOString()'s milliseconds are not in it. Truncated: a week-long
 * window does not care about the lost fraction of a second.
 */
function wholeSecondIso(time: number): string {
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** NextToken only on follow-up pages, so that first requests carry exactly the documented fields. */
function page(nextToken: string | undefined): { NextToken?: string } {
  return nextToken ? { NextToken: nextToken } : {};
}

async function describeGroup(deps: Deps): Promise<{ found: boolean; instances: GroupInstance[] }> {
  const { groupName } = deps.settings;
  const output = await deps.clients.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
  );
  const group = (output.AutoScalingGroups ?? []).find((g) => g.AutoScalingGroupName === groupName);
  if (!group) return { found: false, instances: [] };
  const instances = (group.Instances ?? []).map((instance) => ({
    instanceId: instance.InstanceId ?? "",
    availabilityZone: instance.AvailabilityZone ?? "",
    lifecycleState: instance.LifecycleState ?? "",
    healthStatus: instance.HealthStatus ?? "",
  }));
  return { found: true, instances: instances.filter((instance) => instance.instanceId !== "") };
}

async function describeCapacityTag(deps: Deps): Promise<number | null> {
  const { loadBalancerArn } = deps.settings;
  const output = await deps.clients.elbv2.send(
    new DescribeTagsCommand({ ResourceArns: [loadBalancerArn] }),
  );
  const description = (output.TagDescriptions ?? []).find((d) => d.ResourceArn === loadBalancerArn);
  const tag = (description?.Tags ?? []).find((t) => t.Key === CAPACITY_TAG_KEY);
  return parseCapacity(tag?.Value);
}

async function describeRegistrations(deps: Deps): Promise<Registration[]> {
  const perGroup = await Promise.all(
    deps.settings.targetGroupArns.map(async (targetGroupArn) => {
      const output = await deps.clients.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      );
      return (output.TargetHealthDescriptions ?? []).flatMap((description) => {
        const instanceId = description.Target?.Id;
        if (!instanceId) return [];
        const registration: Registration = {
          instanceId,
          targetGroupArn,
          state: description.TargetHealth?.State ?? "",
        };
        const reason = description.TargetHealth?.Reason;
        if (reason !== undefined) registration.reason = reason;
        return [registration];
      });
    }),
  );
  return perGroup.flat();
}

async function listActivations(deps: Deps, now: number): Promise<Activation[]> {
  const filters = [
    { key: "DocumentName" as const, value: deps.settings.documentName },
    { key: "InvokedAfter" as const, value: wholeSecondIso(now - ACTIVATION_HISTORY_MS) },
  ];
  const activations: Activation[] = [];
  let nextToken: string | undefined;
  do {
    const output = await deps.clients.ssm.send(
      new ListCommandsCommand({ Filters: filters, MaxResults: 50, ...page(nextToken) }),
    );
    for (const command of output.Commands ?? []) {
      if (!command.CommandId || !command.RequestedDateTime || !command.Status) continue;
      const deficitSince = parseDeficitSince(command.Comment);
      for (const instanceId of command.InstanceIds ?? []) {
        const activation: Activation = {
          commandId: command.CommandId,
          instanceId,
          status: command.Status as CommandStatus,
          requestedAt: command.RequestedDateTime.getTime(),
        };
        if (deficitSince !== undefined) activation.deficitSince = deficitSince;
        activations.push(activation);
      }
    }
    nextToken = output.NextToken;
  } while (nextToken);
  return activations;
}

/**
 * Launch time (EC2) and SSM agent status of the given instances. An instance EC2 does not report
 * gets no facts: the planner then treats it as newest and never promotes it.
 */
async function describeFacts(
  deps: Deps,
  instanceIds: string[],
): Promise<Record<string, InstanceFacts>> {
  if (instanceIds.length === 0) return {};
  const [launchTimes, online] = await Promise.all([
    describeLaunchTimes(deps, instanceIds),
    describeOnlineAgents(deps, instanceIds),
  ]);
  const facts: Record<string, InstanceFacts> = {};
  for (const instanceId of instanceIds) {
    const launchTime = launchTimes.get(instanceId);
    if (launchTime === undefined) continue;
    facts[instanceId] = { launchTime, agentOnline: online.has(instanceId) };
  }
  return facts;
}

/**
 * Launch times through the "instance-id" filter, not InstanceIds: with InstanceIds one id that EC2
 * does not know yet (eventual consistency right after a launch) fails the whole call with
 * InvalidInstanceID.NotFound; a filter just leaves it out (it then gets no facts).
 */
async function describeLaunchTimes(
  deps: Deps,
  instanceIds: string[],
): Promise<Map<string, number>> {
  const launchTimes = new Map<string, number>();
  await Promise.all(
    batchesOf(instanceIds, EC2_FILTER_VALUES_MAX).map(async (batch) => {
      let nextToken: string | undefined;
      do {
        const output = await deps.clients.ec2.send(
          new DescribeInstancesCommand({
            Filters: [{ Name: "instance-id", Values: batch }],
            ...page(nextToken),
          }),
        );
        for (const reservation of output.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            if (instance.InstanceId && instance.LaunchTime) {
              launchTimes.set(instance.InstanceId, instance.LaunchTime.getTime());
            }
          }
        }
        nextToken = output.NextToken;
      } while (nextToken);
    }),
  );
  return launchTimes;
}

async function describeOnlineAgents(deps: Deps, instanceIds: string[]): Promise<Set<string>> {
  const online = new Set<string>();
  await Promise.all(
    batchesOf(instanceIds, INSTANCE_INFORMATION_BATCH).map(async (batch) => {
      let nextToken: string | undefined;
      do {
        const output = await deps.clients.ssm.send(
          new DescribeInstanceInformationCommand({
            Filters: [{ Key: "InstanceIds", Values: batch }],
            MaxResults: INSTANCE_INFORMATION_BATCH,
            ...page(nextToken),
          }),
        );
        for (const information of output.InstanceInformationList ?? []) {
          if (information.InstanceId && information.PingStatus === "Online") {
            online.add(information.InstanceId);
          }
        }
        nextToken = output.NextToken;
      } while (nextToken);
    }),
  );
  return online;
}

/** Consecutive slices of at most `size` ids, for APIs that cap the ids of one request. */
function batchesOf(ids: string[], size: number): string[][] {
  const batches: string[][] = [];
  for (let start = 0; start < ids.length; start += size) {
    batches.push(ids.slice(start, start + size));
  }
  return batches;
}
