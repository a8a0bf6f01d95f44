import { strict as assert } from "node:assert";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetInstanceHealthCommand,
} from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { createClients } from "../../reconciler/clients";
import { handler, handleWith } from "../../reconciler/handler";
import { ENV } from "../../reconciler/settings";
import type { Report } from "../../reconciler/summary";
import {
  LB_ARN,
  SETTINGS,
  T0,
  TG_A,
  TG_B,
  fleet,
  harness,
  simulateMutations,
  stubWorld,
  type Harness,
  type Mocks,
  type World,
} from "./aws-harness";

const SCHEDULE = {
  version: "0",
  id: "89d1a02d-5ec7-412e-82f5-13505f849b41",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "111122223333",
  time: new Date(T0).toISOString(),
  region: "eu-central-1",
  resources: ["arn:aws:events:eu-central-1:111122223333:rule/app-reconcile"],
  detail: {},
};

function terminateEvent(groupName: string, instanceId: string, time: number) {
  return {
    version: "0",
    id: "7e3c153a-8339-4e30-8c35-687ebef853fe",
    "detail-type": "EC2 Instance Terminate Successful",
    source: "aws.autoscaling",
    account: "111122223333",
    time: new Date(time).toISOString(),
    region: "eu-central-1",
    resources: [],
    detail: {
      StatusCode: "InProgress",
      AutoScalingGroupName: groupName,
      ActivityId: "87654321-4321-4321-4321-210987654321",
      EC2InstanceId: instanceId,
      Cause: "an instance was taken out of service in response to a health-check",
    },
  };
}

const [I0, I1] = fleet(3).map((i) => i.id);

/** One active instance (i0, registered healthy, activation succeeded), two warm. */
function steadyWorld(): World {
  return {
    instances: fleet(3),
    capacityTag: "1",
    registrations: [{ id: I0, tg: TG_A, state: "healthy" }],
    commands: [
      { commandId: "cmd-0", instanceId: I0, status: "Success", requestedAt: T0 - 3_000_000 },
    ],
  };
}

interface Written {
  log: {
    level: string;
    msg: string;
    requestId?: string;
    event: { kind: string };
    report: Report;
  };
  emf: Record<string, unknown>;
}

/** The two lines, parsed; asserts there are exactly two. */
function written(h: Harness): Written {
  assert.equal(h.lines.length, 2, "one log line and one EMF line");
  return { log: JSON.parse(h.lines[0]), emf: JSON.parse(h.lines[1]) };
}

function metricValues(emf: Record<string, unknown>): Record<string, unknown> {
  const values = { ...emf };
  delete values._aws;
  return values;
}

describe("handler", () => {
  describe("handleWith (the real logic, injected clients and clock)", () => {
    it("first start: promotes the oldest warm instance, registers it after Success, logs twice", async () => {
      const h = harness();
      const world: World = { instances: fleet(3), capacityTag: "1" };
      stubWorld(h.mocks, world);
      simulateMutations(h, world);

      const report = await handleWith(h.deps)(SCHEDULE, { awsRequestId: "req-1" });

      const observeSteady = [
        "autoScaling.DescribeAutoScalingGroups",
        "elbv2.DescribeTags",
        "elbv2.DescribeTargetHealth",
        "ssm.ListCommands",
      ];
      // Calls made in parallel are compared as sets (sorted), sequences in order.
      const names = h.callNames();
      assert.deepEqual(names.slice(0, 4).sort(), observeSteady);
      assert.deepEqual(names.slice(4, 6).sort(), [
        "ec2.DescribeInstances",
        "ssm.DescribeInstanceInformation",
      ]);
      assert.deepEqual(names.slice(6, 10), [
        "ssm.SendCommand",
        "ssm.GetCommandInvocation",
        "ssm.GetCommandInvocation",
        "elbv2.RegisterTargets",
      ]);
      assert.deepEqual(names.slice(10).sort(), observeSteady);
      assert.deepEqual(h.mocks.ssm.commandCalls(SendCommandCommand)[0].args[0].input, {
        DocumentName: "app-activate",
        InstanceIds: [I0],
        Comment: `warm-standby deficit-since=${T0}`,
        TimeoutSeconds: 60,
      });
      const { log, emf } = written(h);
      assert.equal(log.level, "info");
      assert.equal(log.msg, "reconciled");
      assert.equal(log.requestId, "req-1");
      assert.equal(log.event.kind, "schedule");
      assert.deepEqual(log.report, JSON.parse(JSON.stringify(report)));
      assert.equal(report.rounds.length, 2);
      assert.deepEqual(
        report.rounds[0].actions.map((a) => [a.kind, a.instanceId]),
        [["activate", I0]],
      );
      assert.deepEqual(report.rounds[1].snapshot.active, [I0]);
      assert.deepEqual(report.rounds[1].snapshot.registered, [I0]);
      assert.equal(report.stoppedBecause, "nothing to do");
      assert.deepEqual(report.totals, {
        rounds: 2,
        actions: 1,
        failedActions: 0,
        activations: 1,
        activationFailures: 0,
      });
      assert.deepEqual(metricValues(emf), {
        AutoScalingGroupName: "app-asg",
        ActiveInstances: 1,
        WarmStandbys: 2,
        Activations: 1,
        ActivationFailures: 0,
        FailoverSeconds: 6,
      });
    });

    it("active instance terminated: fences it first, promotes the next, failover from the event time", async () => {
      const h = harness({ settings: { ...SETTINGS, targetGroupArns: [TG_A, TG_B] } });
      const world = steadyWorld();
      world.registrations = [
        { id: I0, tg: TG_A, state: "healthy" },
        { id: I0, tg: TG_B, state: "healthy" },
      ];
      world.instances[0].lifecycle = "Terminating";
      world.instances[0].health = "Unhealthy";
      stubWorld(h.mocks, world);
      simulateMutations(h, world);

      const report = await handleWith(h.deps)(terminateEvent("app-asg", I0, T0 - 20_000));

      const names = h.callNames();
      assert.ok(
        names.lastIndexOf("elbv2.DeregisterTargets") < names.indexOf("ssm.SendCommand"),
        "fence before promote",
      );
      assert.deepEqual(
        h.mocks.elbv2.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input),
        [
          { TargetGroupArn: TG_A, Targets: [{ Id: I0 }] },
          { TargetGroupArn: TG_B, Targets: [{ Id: I0 }] },
        ],
      );
      assert.deepEqual(
        h.mocks.elbv2.commandCalls(RegisterTargetsCommand).map((c) => c.args[0].input),
        [
          { TargetGroupArn: TG_A, Targets: [{ Id: I1 }] },
          { TargetGroupArn: TG_B, Targets: [{ Id: I1 }] },
        ],
      );
      assert.equal(report.signalAt, T0 - 20_000);
      assert.deepEqual(report.rounds[report.rounds.length - 1].snapshot.active, [I1]);
      const { emf } = written(h);
      assert.equal(emf.FailoverSeconds, 26, "20 s before the invocation + 2 polls of 3 s");
      assert.equal(emf.ActiveInstances, 1);
    });

    it("activation fails: fenced, the next candidate promoted in round 2 on the same deficit", async () => {
      const h = harness();
      const world: World = { instances: fleet(3), capacityTag: "1" };
      stubWorld(h.mocks, world);
      simulateMutations(h, world, (id) => (id === I0 ? ["Failed"] : ["InProgress", "Success"]));

      const report = await handleWith(h.deps)(SCHEDULE);

      assert.deepEqual(
        report.rounds.map((r) => r.actions.map((a) => `${a.kind} ${a.instanceId}`)),
        [[`activate ${I0}`], [`activate ${I1}`], []],
      );
      assert.deepEqual(report.rounds[0].outcomes[0].commandStatus, "Failed");
      assert.deepEqual(
        h.mocks.autoScaling.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input),
        [{ InstanceId: I0, HealthStatus: "Unhealthy", ShouldRespectGracePeriod: false }],
      );
      assert.deepEqual(
        h.mocks.elbv2.commandCalls(RegisterTargetsCommand).map((c) => c.args[0].input),
        [{ TargetGroupArn: TG_A, Targets: [{ Id: I1 }] }],
        "the failed instance is never registered",
      );
      const sent = h.mocks.ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input.Comment);
      assert.deepEqual(sent, [
        `warm-standby deficit-since=${T0}`,
        `warm-standby deficit-since=${T0}`,
      ]);
      const { log, emf } = written(h);
      assert.equal(log.level, "warn");
      assert.deepEqual(metricValues(emf), {
        AutoScalingGroupName: "app-asg",
        ActiveInstances: 1,
        WarmStandbys: 1,
        Activations: 2,
        ActivationFailures: 1,
        FailoverSeconds: 9,
      });
    });

    it("stops looping when too little time is left for another round", async () => {
      const h = harness({ budgetMs: 40_000 });
      const world: World = { instances: fleet(3), capacityTag: "1" };
      stubWorld(h.mocks, world);
      const slowFailure = Array(6).fill("InProgress").concat("Failed");
      simulateMutations(h, world, (id) => (id === I0 ? slowFailure : ["Success"]));
      const report = await handleWith(h.deps)(SCHEDULE);
      assert.equal(report.rounds.length, 1);
      assert.equal(report.stoppedBecause, "too little time left for another round");
      assert.equal(h.mocks.ssm.commandCalls(SendCommandCommand).length, 1);
    });

    it("no warm candidate (agents offline): does nothing, says why", async () => {
      const h = harness();
      const world: World = {
        instances: fleet(2).map((i) => ({ ...i, agentOnline: false })),
        capacityTag: "1",
      };
      stubWorld(h.mocks, world);
      simulateMutations(h, world);
      const report = await handleWith(h.deps)(SCHEDULE);
      assert.equal(h.callNames().length, 6);
      assert.equal(report.rounds.length, 1);
      assert.deepEqual(report.rounds[0].actions, []);
      assert.ok(report.rounds[0].notes.length > 0, "the planner says why nothing was promoted");
      const { log, emf } = written(h);
      assert.equal(log.level, "info");
      assert.equal(emf.ActiveInstances, 0);
      assert.equal(emf.WarmStandbys, 0);
      assert.equal("FailoverSeconds" in emf, false);
    });

    it("steady state: exactly 4 calls, info, no failover metric", async () => {
      const h = harness();
      stubWorld(h.mocks, steadyWorld());
      const report = await handleWith(h.deps)(SCHEDULE);
      assert.equal(h.callNames().length, 4);
      assert.equal(report.stoppedBecause, "nothing to do");
      const { log, emf } = written(h);
      assert.equal(log.level, "info");
      assert.deepEqual(metricValues(emf), {
        AutoScalingGroupName: "app-asg",
        ActiveInstances: 1,
        WarmStandbys: 2,
        Activations: 0,
        ActivationFailures: 0,
      });
    });

    it("an event of another group is logged and our own group reconciled (no signal taken)", async () => {
      const h = harness();
      const world: World = { instances: fleet(2), capacityTag: "1" };
      stubWorld(h.mocks, world);
      simulateMutations(h, world);
      const report = await handleWith(h.deps)(terminateEvent("other-asg", "i-0f", T0 - 60_000));
      assert.deepEqual(report.notes, ["event for group other-asg, not ours: reconciled app-asg"]);
      assert.equal("signalAt" in report, false);
      assert.equal(report.rounds[0].actions[0].kind, "activate");
      assert.equal(
        (report.rounds[0].actions[0] as { deficitSince: number }).deficitSince,
        T0,
        "deficit measured from when we saw it, not from another group's event",
      );
    });

    for (const event of [null, "look now", [1, 2], { detail: "x" }, 7]) {
      it(`a malformed event (${JSON.stringify(event)}) is "look now"`, async () => {
        const h = harness();
        stubWorld(h.mocks, steadyWorld());
        const report = await handleWith(h.deps)(event);
        assert.equal(report.trigger.kind, "other");
        assert.equal(h.callNames().length, 4);
        assert.equal(written(h).log.event.kind, "other");
      });
    }

    it("a group whose load balancer lacks the tag is left alone", async () => {
      const h = harness();
      const world: World = { instances: fleet(2) };
      stubWorld(h.mocks, world);
      const report = await handleWith(h.deps)(SCHEDULE);
      assert.equal(h.callNames().length, 4);
      assert.deepEqual(report.rounds[0].actions, []);
      assert.equal(report.rounds[0].snapshot.desiredActive, null);
    });

    it("an AWS fault in observe: logged as error, EMF still written, the same error rethrown", async () => {
      const h = harness();
      stubWorld(h.mocks, steadyWorld());
      const fault = Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
      h.mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).rejects(fault);

      await assert.rejects(handleWith(h.deps)(SCHEDULE), (error) => error === fault);

      const { log, emf } = written(h);
      assert.equal(log.level, "error");
      assert.equal(log.msg, "reconcile failed");
      assert.equal(log.report.fault, "Throttling: Rate exceeded");
      assert.equal(log.report.stoppedBecause, "fault");
      assert.deepEqual(metricValues(emf), {
        AutoScalingGroupName: "app-asg",
        Activations: 0,
        ActivationFailures: 0,
      });
    });

    it("a fault after a promotion keeps what was done in the log and metrics, never exceeds capacity", async () => {
      const h = harness();
      const world: World = { instances: fleet(3), capacityTag: "1" };
      stubWorld(h.mocks, world);
      simulateMutations(h, world);
      const fault = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      let observations = 0;
      h.mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(async () => {
        observations += 1;
        if (observations === 2) throw fault;
        return {
          AutoScalingGroups: [
            {
              AutoScalingGroupName: "app-asg",
              MinSize: 3,
              MaxSize: 3,
              DesiredCapacity: 3,
              DefaultCooldown: 300,
              AvailabilityZones: ["eu-central-1a"],
              HealthCheckType: "ELB",
              CreatedTime: new Date(T0),
              Instances: world.instances.map((i) => ({
                InstanceId: i.id,
                AvailabilityZone: "eu-central-1a",
                LifecycleState: "InService",
                HealthStatus: "Healthy",
                ProtectedFromScaleIn: false,
              })),
            },
          ],
        };
      });

      await assert.rejects(handleWith(h.deps)(SCHEDULE), (error) => error === fault);

      assert.deepEqual(world.registrations, [{ id: I0, tg: TG_A, state: "initial" }]);
      const { log, emf } = written(h);
      assert.equal(log.report.rounds.length, 1);
      assert.equal(emf.Activations, 1);
      assert.equal(emf.FailoverSeconds, 6);
      assert.equal(emf.ActiveInstances, 0, "from the last snapshot, taken before the promotion");
    });

    it("a failing fence closes the gate: nothing promoted, the failure is logged as warn", async () => {
      const h = harness();
      const world = steadyWorld();
      world.instances[0].lifecycle = "Terminating";
      stubWorld(h.mocks, world);
      simulateMutations(h, world);
      h.mocks.elbv2
        .on(DeregisterTargetsCommand)
        .rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));

      const report = await handleWith(h.deps)(terminateEvent("app-asg", I0, T0 - 5000));

      assert.equal(h.mocks.ssm.commandCalls(SendCommandCommand).length, 0);
      assert.equal(report.stoppedBecause, "no action changed anything");
      assert.deepEqual(
        report.rounds[0].outcomes.map((o) => [o.action.kind, o.ok, o.error]),
        [
          ["deregister", false, "Throttling: Rate exceeded"],
          ["activate", false, "skipped: a fencing action failed"],
        ],
      );
      assert.equal(written(h).log.level, "warn");
    });

    it("a failing markUnhealthy closes the gate; the next round retries it, then promotes", async () => {
      const h = harness();
      const world = steadyWorld();
      world.registrations = [{ id: I0, tg: TG_A, state: "unhealthy" }];
      stubWorld(h.mocks, world);
      simulateMutations(h, world);
      h.mocks.autoScaling
        .on(SetInstanceHealthCommand)
        .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }))
        .callsFake(async (input) => {
          world.instances[0].health = input.HealthStatus;
          return {};
        });

      const report = await handleWith(h.deps)(SCHEDULE);

      assert.deepEqual(
        report.rounds.map((r) => r.outcomes.map((o) => [o.action.kind, o.action.instanceId, o.ok])),
        [
          [
            ["deregister", I0, true],
            ["markUnhealthy", I0, false],
            ["activate", I1, false],
          ],
          [
            ["markUnhealthy", I0, true],
            ["activate", I1, true],
          ],
          [],
        ],
      );
      assert.equal(report.rounds[0].outcomes[2].error, "skipped: a fencing action failed");
      assert.equal(report.stoppedBecause, "nothing to do");
      // The successor's command goes out only once its predecessor is marked for replacement.
      const names = h.callNames();
      assert.deepEqual(
        names.filter((name) => /SetInstanceHealth|SendCommand|Targets$/.test(name)),
        [
          "elbv2.DeregisterTargets",
          "autoScaling.SetInstanceHealth",
          "autoScaling.SetInstanceHealth",
          "ssm.SendCommand",
          "elbv2.RegisterTargets",
        ],
      );
      assert.equal(world.instances[0].health, "Unhealthy");
      assert.deepEqual(
        h.mocks.elbv2.commandCalls(RegisterTargetsCommand).map((c) => c.args[0].input),
        [{ TargetGroupArn: TG_A, Targets: [{ Id: I1 }] }],
        "the fenced instance is never registered again",
      );
    });
  });

  describe("handler (the Lambda entry point)", () => {
    const ENV_VALUES: Record<string, string> = {
      [ENV.groupName]: "app-asg",
      [ENV.loadBalancerArn]: LB_ARN,
      [ENV.targetGroupArns]: TG_A,
      [ENV.documentName]: "app-activate",
      [ENV.activationTimeoutSeconds]: "600",
      [ENV.promotionGraceSeconds]: "330",
      AWS_REGION: "eu-central-1",
    };
    let savedEnv: NodeJS.ProcessEnv;
    let stdout: string[];
    let realWrite: typeof process.stdout.write;

    beforeEach(() => {
      savedEnv = { ...process.env };
      for (const name of Object.values(ENV)) delete process.env[name];
      stdout = [];
      realWrite = process.stdout.write;
    });
    afterEach(() => {
      process.stdout.write = realWrite;
      for (const name of Object.keys(process.env)) {
        if (!(name in savedEnv)) delete process.env[name];
      }
      Object.assign(process.env, savedEnv);
    });

    /** Runs fn with stdout captured (restored before any assertion can print). */
    async function capturingStdout<T>(fn: () => Promise<T>): Promise<T> {
      process.stdout.write = ((chunk: string) => {
        stdout.push(String(chunk));
        return true;
      }) as typeof process.stdout.write;
      try {
        return await fn();
      } finally {
        process.stdout.write = realWrite;
      }
    }

    it("builds the real dependencies from the environment and writes raw lines to stdout", async () => {
      Object.assign(process.env, ENV_VALUES);
      const mocks: Mocks = {
        autoScaling: mockClient(AutoScalingClient),
        elbv2: mockClient(ElasticLoadBalancingV2Client),
        ssm: mockClient(SSMClient),
        ec2: mockClient(EC2Client),
      };
      try {
        stubWorld(mocks, steadyWorld());
        const context = {
          awsRequestId: "req-9",
          functionName: "reconciler",
          getRemainingTimeInMillis: () => 120_000,
        };
        const report = await capturingStdout(() => handler(SCHEDULE, context));
        assert.equal(report.stoppedBecause, "nothing to do");
      } finally {
        for (const mock of Object.values(mocks)) mock.restore();
      }
      assert.equal(stdout.length, 2);
      assert.ok(
        stdout.every((chunk) => chunk.endsWith("\n") && chunk.indexOf("\n") === chunk.length - 1),
      );
      const log = JSON.parse(stdout[0]);
      assert.equal(log.requestId, "req-9");
      assert.equal(log.level, "info");
      assert.equal(JSON.parse(stdout[1])._aws.CloudWatchMetrics[0].Namespace, "WarmStandby");
    });

    it("misconfiguration is logged as error and rethrown", async () => {
      Object.assign(process.env, ENV_VALUES);
      delete process.env[ENV.documentName];
      await assert.rejects(
        capturingStdout(() => handler(SCHEDULE, { getRemainingTimeInMillis: () => 60_000 })),
        { message: "reconciler settings: WS_DOCUMENT_NAME is not set" },
      );
      assert.equal(stdout.length, 1);
      const log = JSON.parse(stdout[0]);
      assert.equal(log.level, "error");
      assert.equal(log.msg, "invalid settings");
      assert.equal(log.error, "Error: reconciler settings: WS_DOCUMENT_NAME is not set");
      assert.equal(log.event.kind, "schedule");
    });

    it("clients use adaptive retries with at most 4 attempts", async () => {
      process.env.AWS_REGION = "eu-central-1";
      const clients = createClients();
      for (const client of Object.values(clients)) {
        assert.equal(await client.config.maxAttempts(), 4);
        const strategy = await client.config.retryStrategy();
        assert.equal(strategy.mode, "adaptive");
      }
    });
  });
});
