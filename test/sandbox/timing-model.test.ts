import { strict as assert } from "node:assert";
import {
  TIMING_KEYS,
  buildTimingModel,
  flagOf,
  lambdaInitSeconds,
  rateSeconds,
  stackTimingsFrom,
  type StackTimings,
} from "../../sandbox/timing-model";
import { simTimingsFrom } from "../../sandbox/story-world";

const STACK: StackTimings = {
  healthCheckIntervalSeconds: 5,
  healthyThreshold: 3,
  unhealthyThreshold: 2,
  deregistrationDelaySeconds: 30,
  scheduleExpression: "rate(5 minutes)",
  scheduleSeconds: 300,
  activationTimeoutSeconds: 600,
  lifecycleHookHeartbeatSeconds: 30,
};

describe("sandbox: timing model", () => {
  it("reads the deployed settings from the planned resources", () => {
    const timings = stackTimingsFrom([
      { type: "aws:cloudwatch/eventRule:EventRule", inputs: { eventPattern: "{}" } },
      {
        type: "aws:cloudwatch/eventRule:EventRule",
        inputs: { scheduleExpression: "rate(2 minutes)" },
      },
      {
        type: "aws:lb/targetGroup:TargetGroup",
        inputs: {
          deregistrationDelay: 45,
          healthCheck: { interval: 10, healthyThreshold: 4, unhealthyThreshold: 3 },
        },
      },
      {
        type: "aws:lambda/function:Function",
        inputs: { environment: { variables: { WS_ACTIVATION_TIMEOUT_SECONDS: "300" } } },
      },
      {
        type: "aws:autoscaling/lifecycleHook:LifecycleHook",
        inputs: {
          lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
          heartbeatTimeout: 900,
        },
      },
      {
        type: "aws:autoscaling/lifecycleHook:LifecycleHook",
        inputs: {
          lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
          heartbeatTimeout: 45,
        },
      },
    ]);
    assert.deepEqual(timings, {
      healthCheckIntervalSeconds: 10,
      healthyThreshold: 4,
      unhealthyThreshold: 3,
      deregistrationDelaySeconds: 45,
      scheduleExpression: "rate(2 minutes)",
      scheduleSeconds: 120,
      activationTimeoutSeconds: 300,
      lifecycleHookHeartbeatSeconds: 45,
    });
  });

  it("says which resource is missing", () => {
    assert.throws(
      () => stackTimingsFrom([]),
      /the program planned no aws:lb\/targetGroup:TargetGroup/,
    );
  });

  it("turns rate() expressions into seconds and leaves cron() without a period", () => {
    assert.equal(rateSeconds("rate(1 minute)"), 60);
    assert.equal(rateSeconds("rate(5 minutes)"), 300);
    assert.equal(rateSeconds("rate(2 hours)"), 7200);
    assert.equal(rateSeconds("rate(1 day)"), 86400);
    assert.equal(rateSeconds("cron(0/5 * * * ? *)"), undefined);
  });

  it("models cold start as 0.25 s plus 0.03 s per zipped MiB", () => {
    assert.equal(lambdaInitSeconds(0), 0.25);
    assert.equal(lambdaInitSeconds(1024 * 1024), 0.28);
    assert.equal(lambdaInitSeconds(10 * 1024 * 1024), 0.55);
  });

  it("derives the stack's values and gives every entry a source and a flag", () => {
    const model = buildTimingModel(STACK, 20_000);
    assert.deepEqual(Object.keys(model), [...TIMING_KEYS]);
    assert.equal(model.healthChecksSeconds.seconds, 15);
    assert.equal(model.healthChecksSeconds.origin, "stack");
    assert.equal(model.unhealthyChecksSeconds.seconds, 10);
    assert.equal(model.scheduleSeconds.seconds, 300);
    assert.equal(model.deregistrationDelaySeconds.seconds, 30);
    assert.equal(model.activationFailureSeconds.seconds, 570);
    assert.equal(model.pollIntervalSeconds.seconds, 3);
    assert.equal(model.lambdaInitSeconds.seconds, lambdaInitSeconds(20_000));
    assert.equal(model.nlbRegistrationSeconds.origin, "public");
    assert.deepEqual(
      [model.lifecycleHookHeartbeatSeconds.seconds, model.lifecycleHookHeartbeatSeconds.origin],
      [30, "stack"],
    );
    assert.match(
      model.lifecycleHookHeartbeatSeconds.source,
      /heartbeatTimeout 30 of the terminate/,
    );
    assert.equal(model.terminationSeconds.seconds, 60);
    for (const entry of Object.values(model)) {
      assert.ok(entry.source.length > 10, entry.key);
      assert.equal(entry.flag, flagOf(entry.key));
      assert.equal(entry.origin === "assumption", entry.source.startsWith("assumption"), entry.key);
      assert.ok(entry.seconds >= 0, entry.key);
    }
  });

  it("starts a termination with the group's drain: the stack's deregistration delay, from the user guide, a worst case", () => {
    const model = buildTimingModel(STACK, 20_000);
    assert.equal(TIMING_KEYS[0], "deregistrationDelaySeconds");
    const drain = model.deregistrationDelaySeconds;
    assert.deepEqual(
      [drain.seconds, drain.origin, drain.flag],
      [30, "stack", "--deregistration-delay-seconds"],
    );
    assert.equal(
      drain.label,
      "group drains a terminating instance from its target groups, before the lifecycle event",
    );
    assert.ok(drain.source.startsWith("stack: deregistrationDelaySeconds 30 of the target groups"));
    for (const part of [
      "EC2 Auto Scaling user guide, 'How lifecycle hooks work'",
      "https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html",
      "WaitingForELBConnectionDraining",
      "A worst case: ELB may complete a deregistration sooner when no connection is open",
    ]) {
      assert.ok(drain.source.includes(part), part);
    }
    // The simulator drains (and holds the termination) for exactly this long.
    assert.equal(simTimingsFrom(model).deregistrationDelayMs, 30_000);
  });

  it("lets the drain be overridden like any step, down to none", () => {
    const model = buildTimingModel(STACK, 20_000, { deregistrationDelaySeconds: 0 });
    assert.deepEqual(
      [
        model.deregistrationDelaySeconds.seconds,
        model.deregistrationDelaySeconds.origin,
        model.deregistrationDelaySeconds.source,
      ],
      [0, "flag", "flag --deregistration-delay-seconds"],
    );
    assert.equal(simTimingsFrom(model).deregistrationDelayMs, 0);
  });

  it("lets flags override any value and says so", () => {
    const model = buildTimingModel(STACK, 20_000, {
      nlbRegistrationSeconds: 30,
      healthChecksSeconds: 4,
    });
    assert.deepEqual(
      [model.nlbRegistrationSeconds.seconds, model.nlbRegistrationSeconds.origin],
      [30, "flag"],
    );
    assert.equal(model.nlbRegistrationSeconds.source, "flag --nlb-registration-seconds");
    assert.equal(model.healthChecksSeconds.seconds, 4);
    assert.equal(model.agentPickupSeconds.origin, "assumption");
  });

  it("falls back to 300 s, as an assumption, for a cron() schedule", () => {
    const model = buildTimingModel(
      { ...STACK, scheduleExpression: "cron(0 * * * ? *)", scheduleSeconds: undefined },
      1,
    );
    assert.deepEqual(
      [model.scheduleSeconds.seconds, model.scheduleSeconds.origin],
      [300, "assumption"],
    );
  });
});
