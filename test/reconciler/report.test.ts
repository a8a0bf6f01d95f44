import { strict as assert } from "node:assert";
import type { ActOutcome } from "../../reconciler/act";
import { parseTrigger } from "../../reconciler/event";
import { emfLine, levelOf, logLine } from "../../reconciler/report";
import {
  changedSomething,
  metricsOf,
  totalsOf,
  type Report,
  type Round,
  type SnapshotSummary,
} from "../../reconciler/summary";
import type { Action } from "../../reconciler/types";
import { T0, TG_A } from "./aws-harness";

/** The rules of the EMF specification that CloudWatch enforces when it extracts metrics. */
function assertValidEmf(line: string): Record<string, unknown> {
  assert.equal(line.includes("\n"), false, "one line");
  const doc = JSON.parse(line);
  const aws = doc._aws;
  assert.ok(Number.isInteger(aws.Timestamp) && aws.Timestamp > 0, "Timestamp in epoch ms");
  assert.ok(Array.isArray(aws.CloudWatchMetrics) && aws.CloudWatchMetrics.length === 1);
  for (const directive of aws.CloudWatchMetrics) {
    assert.equal(typeof directive.Namespace, "string");
    assert.ok(directive.Namespace.length > 0 && directive.Namespace.length <= 1024);
    for (const dimensionSet of directive.Dimensions) {
      assert.ok(dimensionSet.length <= 30);
      for (const key of dimensionSet) assert.equal(typeof doc[key], "string", `dimension ${key}`);
    }
    assert.ok(directive.Metrics.length <= 100);
    for (const metric of directive.Metrics) {
      const value = doc[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      assert.ok(values.length >= 1 && values.length <= 100, metric.Name);
      for (const v of values) assert.ok(Number.isFinite(v), `${metric.Name} is a number`);
      assert.ok(["Count", "Seconds"].includes(metric.Unit));
    }
  }
  return doc;
}

const activate = (id: string, deficitSince: number): Action => ({
  kind: "activate",
  instanceId: id,
  deficitSince,
  reason: "deficit",
});

function summary(active: string[], warm: string[]): SnapshotSummary {
  return {
    groupFound: true,
    desiredActive: 1,
    instances: active.length + warm.length,
    inService: active.length + warm.length,
    registered: active,
    active,
    warm,
    inFlight: [],
    factsObserved: false,
  };
}

function report(rounds: Round[], fault?: string): Report {
  return {
    trigger: parseTrigger({ source: "aws.events", "detail-type": "Scheduled Event", time: "x" }),
    notes: [],
    rounds,
    totals: totalsOf(rounds),
    stoppedBecause: "nothing to do",
    durationMs: 1234,
    ...(fault === undefined ? {} : { fault }),
  };
}

/** Round 1: i-a's activation failed; i-b registered later (rule 4); round 2: i-c promoted. */
function failoverRounds(): Round[] {
  const failed: ActOutcome = {
    action: activate("i-a", T0 - 30_000),
    ok: false,
    commandId: "cmd-a",
    commandStatus: "Failed",
    error: "activation Failed",
    durationMs: 9000,
  };
  const promoted: ActOutcome = {
    action: activate("i-c", T0 - 30_000),
    ok: true,
    commandId: "cmd-c",
    commandStatus: "Success",
    registeredAt: T0 + 45_000,
    durationMs: 30_000,
  };
  const registered: ActOutcome = {
    action: {
      kind: "register",
      instanceId: "i-b",
      targetGroupArns: [TG_A],
      deficitSince: T0 - 10_000,
      reason: "activated earlier",
    },
    ok: true,
    registeredAt: T0 + 500,
    durationMs: 500,
  };
  const skipped: ActOutcome = {
    action: activate("i-d", T0),
    ok: false,
    error: "skipped: a fencing action failed",
    durationMs: 0,
  };
  return [
    {
      snapshot: summary([], ["i-a", "i-c", "i-d"]),
      actions: [failed.action, registered.action, skipped.action],
      notes: [],
      outcomes: [failed, registered, skipped],
    },
    {
      snapshot: summary(["i-b"], ["i-c", "i-d"]),
      actions: [promoted.action],
      notes: [],
      outcomes: [promoted],
    },
    {
      snapshot: summary(["i-b", "i-c"], ["i-d"]),
      actions: [],
      notes: ["nothing to do"],
      outcomes: [],
    },
  ];
}

describe("report", () => {
  describe("totals and metrics", () => {
    it("count actions, activations sent and activations that failed", () => {
      assert.deepEqual(totalsOf(failoverRounds()), {
        rounds: 3,
        actions: 4,
        failedActions: 2,
        activations: 2,
        activationFailures: 1,
      });
    });

    it("take counts from the last snapshot and failover from completed registrations", () => {
      assert.deepEqual(metricsOf(report(failoverRounds())), {
        activeInstances: 2,
        warmStandbys: 1,
        activations: 2,
        activationFailures: 1,
        failoverSeconds: [10.5, 75],
      });
    });

    it("leave counts out when nothing was observed", () => {
      assert.deepEqual(metricsOf(report([], "Throttling: Rate exceeded")), {
        activations: 0,
        activationFailures: 0,
        failoverSeconds: [],
      });
    });

    it("an outcome changed the world if it succeeded or sent an activation", () => {
      const [failed, registered, skipped] = failoverRounds()[0].outcomes;
      assert.equal(changedSomething(failed), true);
      assert.equal(changedSomething(registered), true);
      assert.equal(changedSomething(skipped), false);
    });
  });

  describe("EMF line", () => {
    it("is valid EMF with every metric, its unit and the group dimension", () => {
      const line = emfLine("app-asg", T0, metricsOf(report(failoverRounds())));
      const doc = assertValidEmf(line);
      assert.deepEqual(doc, {
        _aws: {
          Timestamp: T0,
          CloudWatchMetrics: [
            {
              Namespace: "WarmStandby",
              Dimensions: [["AutoScalingGroupName"]],
              Metrics: [
                { Name: "ActiveInstances", Unit: "Count" },
                { Name: "WarmStandbys", Unit: "Count" },
                { Name: "Activations", Unit: "Count" },
                { Name: "ActivationFailures", Unit: "Count" },
                { Name: "FailoverSeconds", Unit: "Seconds" },
              ],
            },
          ],
        },
        AutoScalingGroupName: "app-asg",
        ActiveInstances: 2,
        WarmStandbys: 1,
        Activations: 2,
        ActivationFailures: 1,
        FailoverSeconds: [10.5, 75],
      });
    });

    it("has a single FailoverSeconds value for one promotion, none without", () => {
      const one = JSON.parse(
        emfLine("app-asg", T0, { activations: 1, activationFailures: 0, failoverSeconds: [42] }),
      );
      assert.equal(one.FailoverSeconds, 42);
      const none = assertValidEmf(
        emfLine("app-asg", T0, {
          activeInstances: 1,
          warmStandbys: 1,
          activations: 0,
          activationFailures: 0,
          failoverSeconds: [],
        }),
      );
      assert.equal("FailoverSeconds" in none, false);
      const names = (
        none._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }
      ).CloudWatchMetrics[0].Metrics.map((m) => m.Name);
      assert.deepEqual(names, [
        "ActiveInstances",
        "WarmStandbys",
        "Activations",
        "ActivationFailures",
      ]);
    });
  });

  describe("log line", () => {
    it("is one JSON line with level, msg, requestId, event and report", () => {
      const r = report(failoverRounds());
      const line = logLine({
        level: levelOf(r),
        msg: "reconciled",
        requestId: "req-1",
        event: r.trigger,
        report: r,
      });
      assert.equal(line.includes("\n"), false);
      assert.deepEqual(JSON.parse(line), {
        level: "warn",
        msg: "reconciled",
        requestId: "req-1",
        event: r.trigger,
        report: JSON.parse(JSON.stringify(r)),
      });
    });

    it("level: error on a fault, warn when an action failed, info otherwise", () => {
      assert.equal(levelOf(report([], "Throttling: Rate exceeded")), "error");
      assert.equal(levelOf(report(failoverRounds())), "warn");
      assert.equal(levelOf(report(failoverRounds().slice(1))), "info");
    });
  });
});
