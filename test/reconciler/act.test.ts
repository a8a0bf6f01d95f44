import { strict as assert } from "node:assert";
import { SetInstanceHealthCommand } from "@aws-sdk/client-auto-scaling";
import {
  DeregisterTargetsCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  SendCommandCommand,
} from "@aws-sdk/client-ssm";
import { act, GATE_CLOSED } from "../../reconciler/act";
import type { Action } from "../../reconciler/types";
import { SETTINGS, T0, TG_A, TG_B, harness, type Harness } from "./aws-harness";

const inputsOf = <T>(calls: { args: [{ input: T }] }[]): T[] => calls.map((c) => c.args[0].input);
const TWO_GROUPS = { ...SETTINGS, targetGroupArns: [TG_A, TG_B] };

const deregister = (id: string, tgs = [TG_A, TG_B]): Action => ({
  kind: "deregister",
  instanceId: id,
  targetGroupArns: tgs,
  reason: "gone",
});
const markUnhealthy = (id: string): Action => ({
  kind: "markUnhealthy",
  instanceId: id,
  reason: "gone",
});
const cancel = (id: string, commandId: string): Action => ({
  kind: "cancelActivation",
  instanceId: id,
  commandId,
  reason: "too many",
});
const activate = (id: string, deficitSince = T0 - 42_000): Action => ({
  kind: "activate",
  instanceId: id,
  deficitSince,
  reason: "deficit",
});
const register = (id: string, tgs = [TG_A, TG_B], deficitSince?: number): Action => ({
  kind: "register",
  instanceId: id,
  targetGroupArns: tgs,
  reason: "activated earlier",
  ...(deficitSince === undefined ? {} : { deficitSince }),
});

function throttling(message = "Rate exceeded"): Error {
  return Object.assign(new Error(message), { name: "Throttling" });
}

function notYet(): InvocationDoesNotExist {
  return new InvocationDoesNotExist({ $metadata: {}, message: "invocation does not exist" });
}

/** SendCommand answers cmd-1; GetCommandInvocation answers the given statuses in turn. */
function scriptActivation(h: Harness, ...statuses: (string | Error)[]): void {
  h.mocks.ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
  let index = 0;
  h.mocks.ssm.on(GetCommandInvocationCommand).callsFake(async () => {
    const next = statuses[Math.min(index++, statuses.length - 1)];
    if (next instanceof Error) throw next;
    return { CommandId: "cmd-1", InstanceId: "i-new", Status: next };
  });
}

describe("act", () => {
  describe("each action's calls", () => {
    it("deregister: one DeregisterTargets per listed target group", async () => {
      const h = harness({ settings: TWO_GROUPS });
      const [outcome] = await act(h.deps, { actions: [deregister("i-old")], notes: [] });
      assert.deepEqual(inputsOf(h.mocks.elbv2.commandCalls(DeregisterTargetsCommand)), [
        { TargetGroupArn: TG_A, Targets: [{ Id: "i-old" }] },
        { TargetGroupArn: TG_B, Targets: [{ Id: "i-old" }] },
      ]);
      assert.deepEqual(outcome, { action: deregister("i-old"), ok: true, durationMs: 0 });
      assert.equal(h.callNames().length, 2);
    });

    it("cancelActivation: CancelCommand for that instance only", async () => {
      const h = harness();
      const [outcome] = await act(h.deps, { actions: [cancel("i-x", "cmd-9")], notes: [] });
      assert.deepEqual(inputsOf(h.mocks.ssm.commandCalls(CancelCommandCommand)), [
        { CommandId: "cmd-9", InstanceIds: ["i-x"] },
      ]);
      assert.equal(outcome.ok, true);
      assert.equal(h.callNames().length, 1);
    });

    it("markUnhealthy: SetInstanceHealth Unhealthy without the grace period", async () => {
      const h = harness();
      const [outcome] = await act(h.deps, { actions: [markUnhealthy("i-old")], notes: [] });
      assert.deepEqual(inputsOf(h.mocks.autoScaling.commandCalls(SetInstanceHealthCommand)), [
        { InstanceId: "i-old", HealthStatus: "Unhealthy", ShouldRespectGracePeriod: false },
      ]);
      assert.equal(outcome.ok, true);
    });

    it("register: one RegisterTargets per listed target group, and when it completed", async () => {
      const h = harness({ settings: TWO_GROUPS });
      const action = register("i-ok", [TG_B], T0 - 1000);
      const [outcome] = await act(h.deps, { actions: [action], notes: [] });
      assert.deepEqual(inputsOf(h.mocks.elbv2.commandCalls(RegisterTargetsCommand)), [
        { TargetGroupArn: TG_B, Targets: [{ Id: "i-ok" }] },
      ]);
      assert.deepEqual(outcome, { action, ok: true, registeredAt: T0, durationMs: 0 });
    });
  });

  describe("activate", () => {
    it("sends the document, polls through InvocationDoesNotExist, then registers everywhere", async () => {
      const h = harness({ settings: TWO_GROUPS });
      scriptActivation(h, notYet(), "InProgress", "Success");

      const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });

      assert.deepEqual(inputsOf(h.mocks.ssm.commandCalls(SendCommandCommand)), [
        {
          DocumentName: "app-activate",
          InstanceIds: ["i-new"],
          Comment: `warm-standby deficit-since=${T0 - 42_000}`,
          TimeoutSeconds: 60,
        },
      ]);
      const poll = { CommandId: "cmd-1", InstanceId: "i-new" };
      assert.deepEqual(inputsOf(h.mocks.ssm.commandCalls(GetCommandInvocationCommand)), [
        poll,
        poll,
        poll,
      ]);
      assert.deepEqual(inputsOf(h.mocks.elbv2.commandCalls(RegisterTargetsCommand)), [
        { TargetGroupArn: TG_A, Targets: [{ Id: "i-new" }] },
        { TargetGroupArn: TG_B, Targets: [{ Id: "i-new" }] },
      ]);
      // Registration only after the verdict: the NLB must not health-check a half-started app.
      assert.deepEqual(h.callNames(), [
        "ssm.SendCommand",
        "ssm.GetCommandInvocation",
        "ssm.GetCommandInvocation",
        "ssm.GetCommandInvocation",
        "elbv2.RegisterTargets",
        "elbv2.RegisterTargets",
      ]);
      assert.deepEqual(outcome, {
        action: activate("i-new"),
        ok: true,
        commandId: "cmd-1",
        commandStatus: "Success",
        registeredAt: T0 + 3 * 3000,
        durationMs: 3 * 3000,
      });
    });

    for (const status of ["Failed", "TimedOut", "Cancelled"]) {
      it(`${status}: deregisters everywhere and marks the instance unhealthy`, async () => {
        const h = harness({ settings: TWO_GROUPS });
        scriptActivation(h, "Pending", status);

        const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });

        assert.equal(h.mocks.elbv2.commandCalls(RegisterTargetsCommand).length, 0);
        assert.deepEqual(inputsOf(h.mocks.elbv2.commandCalls(DeregisterTargetsCommand)), [
          { TargetGroupArn: TG_A, Targets: [{ Id: "i-new" }] },
          { TargetGroupArn: TG_B, Targets: [{ Id: "i-new" }] },
        ]);
        assert.deepEqual(inputsOf(h.mocks.autoScaling.commandCalls(SetInstanceHealthCommand)), [
          { InstanceId: "i-new", HealthStatus: "Unhealthy", ShouldRespectGracePeriod: false },
        ]);
        assert.deepEqual(outcome, {
          action: activate("i-new"),
          ok: false,
          commandId: "cmd-1",
          commandStatus: status,
          error: `activation ${status}`,
          durationMs: 6000,
        });
      });
    }

    it("reports fencing errors after a failed activation in the outcome", async () => {
      const h = harness();
      scriptActivation(h, "Failed");
      h.mocks.autoScaling.on(SetInstanceHealthCommand).rejects(throttling());
      const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });
      assert.equal(outcome.error, "activation Failed; Throttling: Rate exceeded");
      assert.equal(h.mocks.elbv2.commandCalls(DeregisterTargetsCommand).length, 1);
    });

    it("still running at the deadline: in progress, nothing registered, stops 15 s before the end", async () => {
      const h = harness({ budgetMs: 40_000 });
      h.mocks.ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
      h.mocks.ssm.on(GetCommandInvocationCommand).resolves({ Status: "InProgress" });

      const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });

      assert.deepEqual(outcome, {
        action: activate("i-new"),
        ok: true,
        commandId: "cmd-1",
        commandStatus: "InProgress",
        durationMs: 25_000,
      });
      // 8 full intervals (40 s -> 16 s left), one shortened to the deadline, a poll after each.
      assert.equal(h.mocks.ssm.commandCalls(GetCommandInvocationCommand).length, 9);
      assert.equal(h.deps.remainingMs(), 15_000);
      assert.equal(h.mocks.elbv2.calls().length, 0);
      assert.equal(h.mocks.autoScaling.calls().length, 0);
    });

    it("never delivered (InvocationDoesNotExist until the deadline) counts as in progress", async () => {
      const h = harness({ budgetMs: 35_000 });
      h.mocks.ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
      h.mocks.ssm.on(GetCommandInvocationCommand).rejects(notYet());
      const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });
      assert.equal(outcome.ok, true);
      assert.equal(outcome.commandStatus, "InProgress");
    });

    it("is not started with 30 s or less left", async () => {
      const h = harness({ budgetMs: 30_000 });
      const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });
      assert.deepEqual(outcome, {
        action: activate("i-new"),
        ok: false,
        error: "skipped: 30000 ms left, an activation needs more",
        durationMs: 0,
      });
      assert.equal(h.callNames().length, 0);
    });

    it("captures a SendCommand error", async () => {
      const h = harness();
      h.mocks.ssm.on(SendCommandCommand).rejects(throttling("send throttled"));
      const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });
      assert.deepEqual(outcome, {
        action: activate("i-new"),
        ok: false,
        error: "Throttling: send throttled",
        durationMs: 0,
      });
    });

    it("captures a polling error other than InvocationDoesNotExist, keeping the command id", async () => {
      const h = harness();
      scriptActivation(
        h,
        "InProgress",
        Object.assign(new Error("denied"), { name: "AccessDeniedException" }),
      );
      const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });
      assert.deepEqual(outcome, {
        action: activate("i-new"),
        ok: false,
        commandId: "cmd-1",
        error: "AccessDeniedException: denied",
        durationMs: 6000,
      });
      assert.equal(h.mocks.elbv2.calls().length, 0);
    });

    it("a registration error after Success is reported; the command's success is kept", async () => {
      const h = harness();
      scriptActivation(h, "Success");
      h.mocks.elbv2.on(RegisterTargetsCommand).rejects(throttling());
      const [outcome] = await act(h.deps, { actions: [activate("i-new")], notes: [] });
      assert.deepEqual(outcome, {
        action: activate("i-new"),
        ok: false,
        commandId: "cmd-1",
        commandStatus: "Success",
        error: "Throttling: Rate exceeded",
        durationMs: 3000,
      });
    });
  });

  describe("the gate: promotions only after every fencing action succeeded", () => {
    it("runs fencing first, promotions after, outcomes in the plan's order", async () => {
      const h = harness({ settings: TWO_GROUPS });
      scriptActivation(h, "Success");
      const actions = [
        activate("i-new"),
        deregister("i-old"),
        markUnhealthy("i-old"),
        cancel("i-x", "cmd-0"),
      ];
      const outcomes = await act(h.deps, { actions, notes: [] });
      assert.deepEqual(
        outcomes.map((o) => [o.action.kind, o.ok]),
        [
          ["activate", true],
          ["deregister", true],
          ["markUnhealthy", true],
          ["cancelActivation", true],
        ],
      );
      const names = h.callNames();
      assert.deepEqual(names.slice(0, 4).sort(), [
        "autoScaling.SetInstanceHealth",
        "elbv2.DeregisterTargets",
        "elbv2.DeregisterTargets",
        "ssm.CancelCommand",
      ]);
      assert.equal(names[4], "ssm.SendCommand");
    });

    it("a failing deregister skips activate and register", async () => {
      const h = harness({ settings: TWO_GROUPS });
      h.mocks.elbv2.on(DeregisterTargetsCommand, { TargetGroupArn: TG_B }).rejects(throttling());
      const actions = [
        deregister("i-old"),
        markUnhealthy("i-old"),
        activate("i-new"),
        register("i-ok"),
      ];
      const outcomes = await act(h.deps, { actions, notes: [] });
      assert.deepEqual(outcomes, [
        { action: actions[0], ok: false, error: "Throttling: Rate exceeded", durationMs: 0 },
        { action: actions[1], ok: true, durationMs: 0 },
        { action: actions[2], ok: false, error: GATE_CLOSED, durationMs: 0 },
        { action: actions[3], ok: false, error: GATE_CLOSED, durationMs: 0 },
      ]);
      // Both target groups were still asked (a failure in one does not hide the other).
      assert.equal(h.mocks.elbv2.commandCalls(DeregisterTargetsCommand).length, 2);
      assert.equal(h.mocks.ssm.commandCalls(SendCommandCommand).length, 0);
      assert.equal(h.mocks.elbv2.commandCalls(RegisterTargetsCommand).length, 0);
    });

    it("a failing cancelActivation skips activate", async () => {
      const h = harness();
      h.mocks.ssm.on(CancelCommandCommand).rejects(throttling());
      const outcomes = await act(h.deps, {
        actions: [cancel("i-x", "cmd-0"), activate("i-new")],
        notes: [],
      });
      assert.equal(outcomes[1].error, GATE_CLOSED);
      assert.equal(h.mocks.ssm.commandCalls(SendCommandCommand).length, 0);
    });

    it("a failing markUnhealthy closes the gate too (the fenced instance may still run)", async () => {
      const h = harness();
      scriptActivation(h, "Success");
      h.mocks.autoScaling.on(SetInstanceHealthCommand).rejects(throttling());
      const actions = [
        deregister("i-old", [TG_A]),
        markUnhealthy("i-old"),
        activate("i-new"),
        register("i-ok", [TG_A]),
      ];
      const outcomes = await act(h.deps, { actions, notes: [] });
      assert.deepEqual(outcomes, [
        { action: actions[0], ok: true, durationMs: 0 },
        { action: actions[1], ok: false, error: "Throttling: Rate exceeded", durationMs: 0 },
        { action: actions[2], ok: false, error: GATE_CLOSED, durationMs: 0 },
        { action: actions[3], ok: false, error: GATE_CLOSED, durationMs: 0 },
      ]);
      assert.deepEqual(inputsOf(h.mocks.autoScaling.commandCalls(SetInstanceHealthCommand)), [
        { InstanceId: "i-old", HealthStatus: "Unhealthy", ShouldRespectGracePeriod: false },
      ]);
      assert.deepEqual(h.callNames(), ["elbv2.DeregisterTargets", "autoScaling.SetInstanceHealth"]);
    });

    it("never throws, whatever the clients do", async () => {
      const h = harness();
      h.mocks.elbv2.rejects("boom");
      h.mocks.autoScaling.rejects("boom");
      h.mocks.ssm.rejects("boom");
      const outcomes = await act(h.deps, {
        actions: [
          deregister("i-a", [TG_A]),
          markUnhealthy("i-a"),
          register("i-b", [TG_A]),
          activate("i-c"),
        ],
        notes: [],
      });
      assert.deepEqual(
        outcomes.map((o) => [o.ok, o.error]),
        [
          [false, "Error: boom"],
          [false, "Error: boom"],
          [false, GATE_CLOSED],
          [false, GATE_CLOSED],
        ],
      );
    });
  });
});
