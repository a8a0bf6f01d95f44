// Test harness for the reconciler's I/O: real SDK v3 clients with aws-sdk-client-mock on each
// instance, a virtual clock (sleep advances now, so remainingMs shrinks), captured output lines,
// and a small "world" description that answers every observe call the way AWS shapes them.
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetInstanceHealthCommand,
} from "@aws-sdk/client-auto-scaling";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DeregisterTargetsCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
  type CommandStatus,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import type { Deps, Planner } from "../../reconciler/deps";
import { CAPACITY_TAG_KEY, type Settings } from "../../reconciler/types";

export const T0 = Date.parse("2025-03-01T10:00:00.000Z");
export const LB_ARN =
  "arn:aws:elasticloadbalancing:eu-central-1:111122223333:loadbalancer/net/app/0123456789abcdef";
export const TG_A =
  "arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/app-7000/aaaaaaaaaaaaaaaa";
export const TG_B =
  "arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/app-7001/bbbbbbbbbbbbbbbb";

export const SETTINGS: Settings = {
  groupName: "app-asg",
  loadBalancerArn: LB_ARN,
  targetGroupArns: [TG_A],
  documentName: "app-activate",
  activationTimeoutSeconds: 600,
  promotionGraceSeconds: 330,
  pollIntervalMs: 3000,
};

export function makeMocks() {
  const clients = {
    autoScaling: new AutoScalingClient({ region: "eu-central-1" }),
    elbv2: new ElasticLoadBalancingV2Client({ region: "eu-central-1" }),
    ssm: new SSMClient({ region: "eu-central-1" }),
    ec2: new EC2Client({ region: "eu-central-1" }),
  };
  const mocks = {
    autoScaling: mockClient(clients.autoScaling),
    elbv2: mockClient(clients.elbv2),
    ssm: mockClient(clients.ssm),
    ec2: mockClient(clients.ec2),
  };
  // Mutations succeed unless a test says otherwise.
  mocks.autoScaling.on(SetInstanceHealthCommand).resolves({});
  mocks.elbv2.on(RegisterTargetsCommand).resolves({});
  mocks.elbv2.on(DeregisterTargetsCommand).resolves({});
  mocks.ssm.on(CancelCommandCommand).resolves({});
  return { clients, mocks };
}

export type Mocks = ReturnType<typeof makeMocks>["mocks"];

export interface Harness {
  deps: Deps;
  mocks: Mocks;
  /** Lines given to deps.write. */
  lines: string[];
  /** Virtual time: sleep advances it. */
  clock: { now: number };
  /** Every call, in order, as "Service.Command". */
  callNames(): string[];
}

export interface HarnessOptions {
  settings?: Settings;
  /** Time left in the invocation at T0. */
  budgetMs?: number;
  planner?: Partial<Planner>;
}

export function harness(options: HarnessOptions = {}): Harness {
  const { clients, mocks } = makeMocks();
  const clock = { now: T0 };
  const deadline = T0 + (options.budgetMs ?? 300_000);
  const lines: string[] = [];
  const deps: Deps = {
    clients,
    settings: options.settings ?? SETTINGS,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
    remainingMs: () => deadline - clock.now,
    write: (line) => {
      lines.push(line);
    },
  };
  if (options.planner) deps.planner = options.planner;
  const callNames = (): string[] =>
    Object.entries(mocks)
      .flatMap(([service, mock]) =>
        mock.calls().map((call) => ({
          // sinon numbers every spy call globally (callId), which orders calls across clients;
          // its type definitions omit the field.
          order: (call as unknown as { callId: number }).callId,
          name: `${service}.${call.args[0].constructor.name.replace(/Command$/, "")}`,
        })),
      )
      .sort((a, b) => a.order - b.order)
      .map((call) => call.name);
  return { deps, mocks, lines, clock, callNames };
}

export interface WorldInstance {
  id: string;
  lifecycle?: string;
  health?: string;
  az?: string;
  launchTime?: number;
  agentOnline?: boolean;
}

export interface World {
  groupFound?: boolean;
  instances: WorldInstance[];
  /** The capacity tag's raw value; undefined = no tag. */
  capacityTag?: string;
  registrations?: { id: string; tg: string; state: string; reason?: string }[];
  commands?: {
    commandId: string;
    instanceId: string;
    status: CommandStatus;
    requestedAt: number;
    comment?: string;
  }[];
}

/** Answers every observe call from `world` as it is at call time (tests may change it). */
export function stubWorld(mocks: Mocks, world: World): void {
  mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(async () => ({
    AutoScalingGroups:
      world.groupFound === false
        ? []
        : [
            {
              AutoScalingGroupName: SETTINGS.groupName,
              MinSize: world.instances.length,
              MaxSize: world.instances.length,
              DesiredCapacity: world.instances.length,
              DefaultCooldown: 300,
              AvailabilityZones: ["eu-central-1a", "eu-central-1b"],
              HealthCheckType: "ELB",
              CreatedTime: new Date(T0 - 86_400_000),
              Instances: world.instances.map((instance) => ({
                InstanceId: instance.id,
                AvailabilityZone: instance.az ?? "eu-central-1a",
                LifecycleState: instance.lifecycle ?? "InService",
                HealthStatus: instance.health ?? "Healthy",
                ProtectedFromScaleIn: false,
              })),
            },
          ],
  }));
  mocks.elbv2.on(DescribeTagsCommand).callsFake(async () => ({
    TagDescriptions: [
      {
        ResourceArn: LB_ARN,
        Tags: [
          { Key: "Name", Value: "app" },
          ...(world.capacityTag === undefined
            ? []
            : [{ Key: CAPACITY_TAG_KEY, Value: world.capacityTag }]),
        ],
      },
    ],
  }));
  mocks.elbv2.on(DescribeTargetHealthCommand).callsFake(async (input) => ({
    TargetHealthDescriptions: (world.registrations ?? [])
      .filter((r) => r.tg === input.TargetGroupArn)
      .map((r) => ({
        Target: { Id: r.id, Port: 7000 },
        HealthCheckPort: "7000",
        TargetHealth: { State: r.state, Reason: r.reason },
      })),
  }));
  mocks.ssm.on(ListCommandsCommand).callsFake(async () => ({
    Commands: (world.commands ?? []).map((c) => ({
      CommandId: c.commandId,
      DocumentName: SETTINGS.documentName,
      InstanceIds: [c.instanceId],
      Status: c.status,
      RequestedDateTime: new Date(c.requestedAt),
      Comment: c.comment,
    })),
  }));
  mocks.ssm.on(DescribeInstanceInformationCommand).callsFake(async (input) => {
    const ids: string[] = input.Filters[0].Values;
    return {
      InstanceInformationList: world.instances
        .filter((instance) => ids.includes(instance.id))
        .map((instance) => ({
          InstanceId: instance.id,
          PingStatus: instance.agentOnline === false ? "ConnectionLost" : "Online",
        })),
    };
  });
  // observe asks by the "instance-id" filter; ids EC2 does not know are left out, as EC2 does.
  mocks.ec2.on(DescribeInstancesCommand).callsFake(async (input) => ({
    Reservations: [
      {
        Instances: world.instances
          .filter((instance) => input.Filters[0].Values.includes(instance.id))
          .map((instance) => ({
            InstanceId: instance.id,
            LaunchTime: new Date(instance.launchTime ?? T0 - 3_600_000),
          })),
      },
    ],
  }));
}

/**
 * Makes the mutations change `world` the way AWS would (stubWorld then reports it): registration
 * "initial", deregistration "draining", SetInstanceHealth, CancelCommand, and activation commands
 * whose GetCommandInvocation statuses follow `verdicts(instanceId)` one poll at a time (the last
 * one repeats; default: InProgress then Success).
 */
export function simulateMutations(
  h: Harness,
  world: World,
  verdicts: (instanceId: string) => CommandStatus[] = () => ["InProgress", "Success"],
): void {
  world.registrations ??= [];
  world.commands ??= [];
  const registrations = world.registrations;
  const commands = world.commands;
  const polls = new Map<string, number>();
  h.mocks.elbv2.on(RegisterTargetsCommand).callsFake(async (input) => {
    for (const { Id } of input.Targets) {
      const existing = registrations.find((r) => r.id === Id && r.tg === input.TargetGroupArn);
      if (existing) existing.state = "initial";
      else registrations.push({ id: Id, tg: input.TargetGroupArn, state: "initial" });
    }
    return {};
  });
  h.mocks.elbv2.on(DeregisterTargetsCommand).callsFake(async (input) => {
    for (const r of registrations) {
      if (r.tg === input.TargetGroupArn && r.id === input.Targets[0].Id) r.state = "draining";
    }
    return {};
  });
  h.mocks.autoScaling.on(SetInstanceHealthCommand).callsFake(async (input) => {
    const instance = world.instances.find((i) => i.id === input.InstanceId);
    if (instance) instance.health = input.HealthStatus;
    return {};
  });
  h.mocks.ssm.on(CancelCommandCommand).callsFake(async (input) => {
    const command = commands.find((c) => c.commandId === input.CommandId);
    if (command) command.status = "Cancelled";
    return {};
  });
  h.mocks.ssm.on(SendCommandCommand).callsFake(async (input) => {
    const commandId = `cmd-${commands.length + 1}`;
    commands.push({
      commandId,
      instanceId: input.InstanceIds[0],
      status: "InProgress",
      requestedAt: h.clock.now,
      comment: input.Comment,
    });
    return { Command: { CommandId: commandId } };
  });
  h.mocks.ssm.on(GetCommandInvocationCommand).callsFake(async (input) => {
    const command = commands.find((c) => c.commandId === input.CommandId);
    if (!command) throw new Error(`unknown command ${input.CommandId}`);
    const statuses = verdicts(command.instanceId);
    const poll = polls.get(command.commandId) ?? 0;
    polls.set(command.commandId, poll + 1);
    command.status = statuses[Math.min(poll, statuses.length - 1)];
    return { CommandId: command.commandId, InstanceId: command.instanceId, Status: command.status };
  });
}

/** n InService, Healthy instances i-000..., launched a minute apart (i-0000 oldest). */
export function fleet(n: number): WorldInstance[] {
  return Array.from({ length: n }, (_, k) => ({
    id: `i-${String(k).padStart(17, "0")}`,
    launchTime: T0 - 3_600_000 + k * 60_000,
  }));
}
