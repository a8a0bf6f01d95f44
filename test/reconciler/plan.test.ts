// Exhaustive table of the planner's rules (reconciler/plan.ts): one row per rule and edge, exact
// action lists. Reasons are free text for humans: rows compare actions without them, and one test
// checks that every action carries one.
import { strict as assert } from "node:assert";
import { activeInstanceIds, needsFacts, plan, warmInstanceIds } from "../../reconciler/plan";
import type { Action, CommandStatus, Settings, Snapshot } from "../../reconciler/types";
import {
  LIFECYCLE_STATES,
  MINUTE,
  NOW,
  SECOND,
  SETTINGS,
  TG_A,
  TG_B,
  TG_FOREIGN,
  activation,
  applyWithGate,
  member,
  offline,
  online,
  snapshot,
  targets,
} from "./plan-fixtures";

/** An action without its free-text reason. */
type Expected = WithoutReason<Action>;
type WithoutReason<T> = T extends unknown ? Omit<T, "reason"> : never;

const HOUR = 60 * MINUTE;
const BOTH = [TG_A, TG_B];
const LOST_AFTER = (SETTINGS.activationTimeoutSeconds + 60) * SECOND;
const GRACE = SETTINGS.promotionGraceSeconds * SECOND;

const deregister = (instanceId: string, targetGroupArns = BOTH): Expected => ({
  kind: "deregister",
  instanceId,
  targetGroupArns,
});
const markUnhealthy = (instanceId: string): Expected => ({ kind: "markUnhealthy", instanceId });
const cancel = (instanceId: string, commandId: string): Expected => ({
  kind: "cancelActivation",
  instanceId,
  commandId,
});
const activate = (instanceId: string, deficitSince = NOW): Expected => ({
  kind: "activate",
  instanceId,
  deficitSince,
});
const register = (instanceId: string, targetGroupArns = BOTH, deficitSince?: number): Expected => ({
  kind: "register",
  instanceId,
  targetGroupArns,
  ...(deficitSince === undefined ? {} : { deficitSince }),
});

function actionsOf(s: Snapshot, settings: Settings = SETTINGS): Expected[] {
  return plan(s, settings).actions.map(({ reason: _reason, ...rest }) => rest as Expected);
}

/** i-a: the active instance, activated an hour ago and healthy in both target groups. */
const servingA = {
  instances: [member("i-a")],
  registrations: targets("i-a", "healthy"),
  activations: [activation("i-a", "Success", NOW - HOUR)],
};
/** i-b then i-c: warm standbys, i-b launched first. */
const warm = [member("i-b"), member("i-c")];
const warmFacts = { "i-b": online(NOW - 3 * HOUR), "i-c": online(NOW - 2 * HOUR) };

/** i-a (given as `a`) with the given registrations/activations, plus the warm standbys. */
function withA(parts: Partial<Snapshot>, a = member("i-a")): Snapshot {
  return snapshot({
    instances: [a, ...warm],
    facts: { "i-a": online(NOW - 4 * HOUR), ...warmFacts },
    ...parts,
  });
}

describe("plan: rule 0, unmanaged groups", () => {
  it("does nothing when the group is not found", () => {
    const s = snapshot({ groupFound: false, instances: warm, facts: warmFacts });
    assert.deepEqual(plan(s, SETTINGS), { actions: [], notes: ["group app-asg not found"] });
  });

  it("does nothing when the load balancer has no valid capacity tag", () => {
    const s = snapshot({ desiredActive: null, instances: warm, facts: warmFacts });
    assert.deepEqual(plan(s, SETTINGS), {
      actions: [],
      notes: [
        `load balancer ${SETTINGS.loadBalancerArn} has no valid warm-standby:active-capacity tag: group app-asg is not managed`,
      ],
    });
  });
});

describe("plan: steady state", () => {
  it("does nothing when one instance serves and two are warm", () => {
    const s = snapshot({ ...servingA, instances: [member("i-a"), ...warm], facts: warmFacts });
    assert.deepEqual(plan(s, SETTINGS), { actions: [], notes: [] });
  });

  it("does nothing at capacity 0 with nothing active", () => {
    const s = snapshot({ desiredActive: 0, instances: warm, facts: warmFacts });
    assert.deepEqual(plan(s, SETTINGS), { actions: [], notes: [] });
  });

  it("gives every action a reason", () => {
    const s = withA({ registrations: targets("i-a", "unhealthy"), activations: [] });
    const actions = plan(s, SETTINGS).actions;
    assert.equal(actions.length, 3);
    actions.forEach((action) => assert.match(action.reason, /\w{3}/));
  });
});

describe("plan: rule 1, gone instances", () => {
  // SetInstanceHealth is for InService instances only: a refused gating action would block every
  // promotion. A once-active instance that comes back InService is fenced then (rule 4).
  for (const lifecycleState of LIFECYCLE_STATES.filter((state) => state !== "InService")) {
    it(`${lifecycleState}: deregisters and promotes, without SetInstanceHealth`, () => {
      const s = withA(
        { registrations: servingA.registrations, activations: servingA.activations },
        member("i-a", { lifecycleState }),
      );
      assert.deepEqual(actionsOf(s), [deregister("i-a"), activate("i-b")]);
    });
  }

  it("unknown to the group (terminated): deregisters only, promotes with deficitSince = signalAt", () => {
    const s = snapshot({
      instances: warm,
      registrations: servingA.registrations,
      activations: servingA.activations,
      facts: warmFacts,
      signalAt: NOW - 20 * SECOND,
    });
    assert.deepEqual(actionsOf(s), [deregister("i-a"), activate("i-b", NOW - 20 * SECOND)]);
  });

  it("deregisters exactly where registered (not draining, not foreign)", () => {
    const s = snapshot({
      instances: warm,
      registrations: [
        ...targets("i-a", "healthy", [TG_A]),
        ...targets("i-a", "draining", [TG_B]),
        ...targets("i-a", "healthy", [TG_FOREIGN]),
      ],
      facts: warmFacts,
    });
    assert.deepEqual(actionsOf(s), [deregister("i-a", [TG_A]), activate("i-b")]);
  });

  it("does not mark an Unhealthy gone instance again", () => {
    const a = member("i-a", { lifecycleState: "Standby", healthStatus: "Unhealthy" });
    const s = withA({ registrations: servingA.registrations }, a);
    assert.deepEqual(actionsOf(s), [deregister("i-a"), activate("i-b")]);
  });

  it("cancels the in-flight activation of a gone instance, then promotes", () => {
    const pending = activation("i-a", "Pending", NOW - MINUTE);
    const s = withA({ activations: [pending] }, member("i-a", { lifecycleState: "Standby" }));
    assert.deepEqual(actionsOf(s), [cancel("i-a", pending.commandId), activate("i-b")]);
  });

  it("cancels every in-flight command of a terminated instance, oldest first", () => {
    const first = activation("i-a", "Delayed", NOW - 2 * MINUTE, { commandId: "cmd-z" });
    const second = activation("i-a", "InProgress", NOW - MINUTE, { commandId: "cmd-y" });
    const s = snapshot({ instances: warm, activations: [second, first], facts: warmFacts });
    assert.deepEqual(actionsOf(s), [
      cancel("i-a", "cmd-z"),
      cancel("i-a", "cmd-y"),
      activate("i-b"),
    ]);
  });

  it("waits for a Cancelling command of a gone instance before promoting", () => {
    const cancelling = activation("i-a", "Cancelling", NOW - MINUTE);
    const s = snapshot({
      instances: warm,
      registrations: servingA.registrations,
      activations: [cancelling],
      facts: warmFacts,
    });
    assert.deepEqual(plan(s, SETTINGS).notes, [
      "i-a: activation still cancelling, counted as active",
    ]);
    assert.deepEqual(actionsOf(s), [deregister("i-a")]);
  });

  it("needs nothing for a gone instance that is no longer active", () => {
    const s = snapshot({
      instances: warm,
      registrations: targets("i-a", "draining"),
      activations: servingA.activations,
      facts: warmFacts,
    });
    assert.deepEqual(actionsOf(s), [activate("i-b")]);
  });

  it("lists each target group once when settings repeat one", () => {
    const settings = { ...SETTINGS, targetGroupArns: [TG_A, TG_B, TG_A] };
    const s = snapshot({ registrations: servingA.registrations, desiredActive: 0 });
    assert.deepEqual(actionsOf(s, settings), [deregister("i-a")]);
  });
});

describe("plan: target states of the active instance", () => {
  const rows: [string, Expected[]][] = [
    ["initial", []],
    ["healthy", []],
    ["unused", []],
    ["unavailable", []],
    ["unhealthy", [deregister("i-a"), markUnhealthy("i-a"), activate("i-b")]],
    // Draining is not registered, and an hour after its activation i-a is out of its grace: a
    // fence deregistered it, so rule 4 completes that fence instead of registering it again.
    ["draining", [markUnhealthy("i-a"), activate("i-b")]],
  ];
  for (const [state, expected] of rows) {
    it(`${state} in both target groups`, () => {
      const s = withA({ registrations: targets("i-a", state), activations: servingA.activations });
      assert.deepEqual(actionsOf(s), expected);
    });
  }
});

describe("plan: command status of the latest activation", () => {
  const fenceAndPromote = [deregister("i-a"), markUnhealthy("i-a"), activate("i-b")];
  const registeredRows: [CommandStatus, Expected[]][] = [
    ["Success", []],
    ["Pending", []],
    ["InProgress", []],
    ["Delayed", []],
    ["Failed", fenceAndPromote],
    ["TimedOut", fenceAndPromote],
    ["Cancelled", fenceAndPromote],
    // Fenced, but still counted while the cancellation runs: no promotion yet.
    ["Cancelling", [deregister("i-a"), markUnhealthy("i-a")]],
  ];
  for (const [status, expected] of registeredRows) {
    it(`${status}, registered`, () => {
      const s = withA({
        registrations: targets("i-a", "healthy"),
        activations: [activation("i-a", status, NOW - MINUTE)],
      });
      assert.deepEqual(actionsOf(s), expected);
    });
  }

  const unregisteredRows: [CommandStatus, Expected[]][] = [
    ["Success", [register("i-a")]],
    // In flight counts as active: no second promotion (overlap argument (a)).
    ["Pending", []],
    ["InProgress", []],
    ["Delayed", []],
    ["Failed", [markUnhealthy("i-a"), activate("i-b")]],
    ["TimedOut", [markUnhealthy("i-a"), activate("i-b")]],
    ["Cancelled", [markUnhealthy("i-a"), activate("i-b")]],
    ["Cancelling", [markUnhealthy("i-a")]],
  ];
  for (const [status, expected] of unregisteredRows) {
    it(`${status}, not registered`, () => {
      const s = withA({ activations: [activation("i-a", status, NOW - MINUTE)] });
      assert.deepEqual(actionsOf(s), expected);
    });
  }

  it("an in-flight status exactly at timeout + 60 s is lost and fenced", () => {
    const s = withA({ activations: [activation("i-a", "InProgress", NOW - LOST_AFTER)] });
    assert.deepEqual(actionsOf(s), [markUnhealthy("i-a"), activate("i-b")]);
  });

  it("an in-flight status 1 ms younger than that is still in flight", () => {
    const s = withA({ activations: [activation("i-a", "InProgress", NOW - LOST_AFTER + 1)] });
    assert.deepEqual(actionsOf(s), []);
  });

  it("the latest activation decides: an older Success does not save a newer failure", () => {
    const s = withA({
      registrations: targets("i-a", "healthy"),
      activations: [
        activation("i-a", "Failed", NOW - MINUTE),
        activation("i-a", "Success", NOW - HOUR),
      ],
    });
    assert.deepEqual(actionsOf(s), [deregister("i-a"), markUnhealthy("i-a"), activate("i-b")]);
  });

  for (const [failedId, expected] of [
    ["cmd-2", [deregister("i-a"), markUnhealthy("i-a"), activate("i-b")]],
    ["cmd-0", []],
  ] as const) {
    it(`same requestedAt: the greater commandId is the latest (Failed ${failedId} vs Success cmd-1)`, () => {
      const s = withA({
        registrations: targets("i-a", "healthy"),
        activations: [
          activation("i-a", "Success", NOW - HOUR, { commandId: "cmd-1" }),
          activation("i-a", "Failed", NOW - HOUR, { commandId: failedId }),
        ],
      });
      assert.deepEqual(actionsOf(s), expected);
    });
  }
});

describe("plan: rule 3, unhealthy active instances", () => {
  it("Unhealthy in the group: deregisters (no second mark) and promotes", () => {
    const s = withA(
      { registrations: servingA.registrations, activations: servingA.activations },
      member("i-a", { healthStatus: "Unhealthy" }),
    );
    assert.deepEqual(actionsOf(s), [deregister("i-a"), activate("i-b")]);
  });

  it("Unhealthy in the group while its activation runs: cancelled, and the next one promoted", () => {
    const running = activation("i-a", "InProgress", NOW - MINUTE);
    const s = withA({ activations: [running] }, member("i-a", { healthStatus: "Unhealthy" }));
    assert.deepEqual(actionsOf(s), [cancel("i-a", running.commandId), activate("i-b")]);
  });

  const oneUnhealthy = [
    ...targets("i-a", "unhealthy", [TG_A]),
    ...targets("i-a", "healthy", [TG_B]),
  ];
  it("one unhealthy target exactly at the end of the grace: fenced everywhere", () => {
    const s = withA({
      registrations: oneUnhealthy,
      activations: [activation("i-a", "Success", NOW - GRACE)],
    });
    assert.deepEqual(actionsOf(s), [deregister("i-a"), markUnhealthy("i-a"), activate("i-b")]);
  });

  it("one unhealthy target 1 ms before the end of the grace: kept", () => {
    const s = withA({
      registrations: oneUnhealthy,
      activations: [activation("i-a", "Success", NOW - GRACE + 1)],
    });
    assert.deepEqual(actionsOf(s), []);
  });

  it("a stray registration without activation is out of grace at once", () => {
    const s = withA({ registrations: targets("i-a", "unhealthy") });
    assert.deepEqual(actionsOf(s), [deregister("i-a"), markUnhealthy("i-a"), activate("i-b")]);
  });

  it("an unhealthy registration in a foreign target group is ignored", () => {
    const s = withA({
      registrations: [...servingA.registrations, ...targets("i-a", "unhealthy", [TG_FOREIGN])],
      activations: servingA.activations,
    });
    assert.deepEqual(actionsOf(s), []);
  });

  it("a promotion registered while its activation runs is kept within the grace", () => {
    const s = withA({
      registrations: targets("i-a", "unhealthy"),
      activations: [activation("i-a", "InProgress", NOW - GRACE + 1)],
    });
    assert.deepEqual(actionsOf(s), []);
  });

  it("and fenced (its command cancelled) once the grace is over", () => {
    const running = activation("i-a", "InProgress", NOW - GRACE);
    const s = withA({ registrations: targets("i-a", "unhealthy"), activations: [running] });
    assert.deepEqual(actionsOf(s), [
      deregister("i-a"),
      cancel("i-a", running.commandId),
      markUnhealthy("i-a"),
      activate("i-b"),
    ]);
  });
});

describe("plan: rule 4, activated but not fully registered", () => {
  it("registers a partial registration in the missing group, carrying deficitSince", () => {
    const s = withA({
      registrations: targets("i-a", "healthy", [TG_A]),
      activations: [activation("i-a", "Success", NOW - HOUR, { deficitSince: NOW - 2 * HOUR })],
    });
    assert.deepEqual(actionsOf(s), [register("i-a", [TG_B], NOW - 2 * HOUR)]);
  });

  it("registers an activation that never got registered instead of promoting a warm one", () => {
    const s = withA({
      activations: [activation("i-a", "Success", NOW - MINUTE, { deficitSince: NOW - 3 * MINUTE })],
    });
    assert.deepEqual(actionsOf(s), [register("i-a", BOTH, NOW - 3 * MINUTE)]);
  });

  it("with room for one, registers the oldest activation and fences the other", () => {
    const s = snapshot({
      instances: [member("i-a"), member("i-d"), ...warm],
      activations: [
        activation("i-d", "Success", NOW - 2 * MINUTE),
        activation("i-a", "Success", NOW - MINUTE),
      ],
      facts: warmFacts,
    });
    assert.deepEqual(actionsOf(s), [markUnhealthy("i-a"), register("i-d")]);
  });

  it("registers one registered nowhere 1 ms before the end of its grace (draining included)", () => {
    const s = withA({
      registrations: targets("i-a", "draining"),
      activations: [activation("i-a", "Success", NOW - GRACE + 1)],
    });
    assert.deepEqual(actionsOf(s), [register("i-a")]);
  });

  it("fences one registered nowhere at the end of its grace, and promotes a successor", () => {
    const s = withA({ activations: [activation("i-a", "Success", NOW - GRACE)] });
    assert.deepEqual(plan(s, SETTINGS), {
      actions: [
        {
          ...markUnhealthy("i-a"),
          reason:
            "activated earlier, out of service after its promotion grace: fenced, not re-registered",
        },
        { ...activate("i-b"), reason: "warm standby promoted (deficit 1)" },
      ],
      notes: [],
    });
  });

  it("rule 3's fence whose markUnhealthy failed is retried by the next round, never undone", () => {
    const unhealthy = withA({
      registrations: targets("i-a", "unhealthy"),
      activations: [activation("i-a", "Success", NOW - HOUR)],
    });
    const first = plan(unhealthy, SETTINGS).actions;
    const fenceAndPromote = [deregister("i-a"), markUnhealthy("i-a"), activate("i-b")];
    assert.deepEqual(actionsOf(unhealthy), fenceAndPromote);
    // act: the deregister succeeds, the markUnhealthy fails, so the gate skips the activation.
    const fencedHalfway = applyWithGate(unhealthy, first, [true, false, true]);
    assert.deepEqual(activeInstanceIds(fencedHalfway, SETTINGS), []);
    assert.deepEqual(actionsOf(fencedHalfway), [markUnhealthy("i-a"), activate("i-b")]);
    // Once the deregistration delay is over the registration is gone: still fenced, not registered.
    const drained = { ...fencedHalfway, registrations: [] };
    assert.deepEqual(actionsOf(drained), [markUnhealthy("i-a"), activate("i-b")]);
  });

  it("fences a finished activation when capacity is already full", () => {
    const s = snapshot({
      ...servingA,
      instances: [member("i-a"), member("i-d"), ...warm],
      activations: [...servingA.activations, activation("i-d", "Success", NOW - MINUTE)],
      facts: warmFacts,
    });
    assert.deepEqual(actionsOf(s), [markUnhealthy("i-d")]);
  });

  it("skips a finished activation that the group already replaces, and promotes", () => {
    const s = withA(
      { activations: [activation("i-a", "Success", NOW - MINUTE)] },
      member("i-a", { healthStatus: "Unhealthy" }),
    );
    assert.deepEqual(actionsOf(s), [activate("i-b")]);
  });

  for (const [stray, strayLaunch] of [
    ["newer", NOW - 2 * HOUR],
    ["older", NOW - 4 * HOUR],
  ] as const) {
    it(`a partial instance in K competes in rule 5: the ${stray} stray goes, the partial is completed`, () => {
      const s = snapshot({
        instances: [member("i-a"), member("i-s")],
        registrations: [...targets("i-a", "healthy", [TG_A]), ...targets("i-s", "healthy")],
        activations: [activation("i-a", "Success", NOW - HOUR)],
        facts: { "i-a": online(NOW - 3 * HOUR), "i-s": online(strayLaunch) },
      });
      assert.deepEqual(actionsOf(s), [
        deregister("i-s"),
        markUnhealthy("i-s"),
        register("i-a", [TG_B]),
      ]);
    });
  }

  it("a partial instance that is the newest is removed, not completed", () => {
    const s = snapshot({
      instances: [member("i-a"), member("i-d")],
      registrations: [...targets("i-a", "healthy", [TG_A]), ...targets("i-d", "healthy")],
      activations: [
        activation("i-a", "Success", NOW - HOUR),
        activation("i-d", "Success", NOW - 2 * HOUR),
      ],
      facts: { "i-a": online(NOW - 2 * HOUR), "i-d": online(NOW - 3 * HOUR) },
    });
    assert.deepEqual(actionsOf(s), [deregister("i-a", [TG_A]), markUnhealthy("i-a")]);
  });
});

describe("plan: rule 5, too many active", () => {
  /** Two serving instances (i-a, i-d) launched at the given times. */
  function twoServing(facts: Snapshot["facts"], desiredActive = 1): Snapshot {
    return snapshot({
      desiredActive,
      instances: [member("i-a"), member("i-d")],
      registrations: [...targets("i-a"), ...targets("i-d")],
      activations: [
        activation("i-a", "Success", NOW - HOUR),
        activation("i-d", "Success", NOW - HOUR),
      ],
      facts,
    });
  }

  it("capacity lowered 2 -> 1: removes the newest launch", () => {
    const s = twoServing({ "i-a": online(NOW - HOUR), "i-d": online(NOW - 2 * HOUR) });
    assert.deepEqual(actionsOf(s), [deregister("i-a"), markUnhealthy("i-a")]);
  });

  it("same launch time: removes the greatest instance id", () => {
    const s = twoServing({ "i-a": online(NOW - HOUR), "i-d": online(NOW - HOUR) });
    assert.deepEqual(actionsOf(s), [deregister("i-d"), markUnhealthy("i-d")]);
  });

  it("an unknown launch time counts as newest", () => {
    const s = twoServing({ "i-d": online(NOW - HOUR) });
    assert.deepEqual(actionsOf(s), [deregister("i-a"), markUnhealthy("i-a")]);
  });

  it("without facts: removes the greatest instance id", () => {
    const s = twoServing(undefined);
    assert.deepEqual(actionsOf(s), [deregister("i-d"), markUnhealthy("i-d")]);
  });

  it("capacity 0: removes every active instance", () => {
    const s = twoServing({ "i-a": online(NOW - HOUR), "i-d": online(NOW - 2 * HOUR) }, 0);
    assert.deepEqual(actionsOf(s), [
      deregister("i-a"),
      markUnhealthy("i-a"),
      deregister("i-d"),
      markUnhealthy("i-d"),
    ]);
  });

  it("cancels the activation of a removed instance that is not registered yet", () => {
    const running = activation("i-d", "InProgress", NOW - MINUTE);
    const s = snapshot({
      ...servingA,
      instances: [member("i-a"), member("i-d")],
      activations: [...servingA.activations, running],
      facts: { "i-a": online(NOW - 2 * HOUR), "i-d": online(NOW - HOUR) },
    });
    assert.deepEqual(actionsOf(s), [cancel("i-d", running.commandId), markUnhealthy("i-d")]);
  });

  it("capacity 3 with four active: removes only the newest", () => {
    const ids = ["i-1", "i-2", "i-3", "i-4"];
    const s = snapshot({
      desiredActive: 3,
      instances: ids.map((id) => member(id)),
      registrations: ids.flatMap((id) => targets(id)),
      activations: ids.map((id) => activation(id, "Success", NOW - HOUR)),
      facts: Object.fromEntries(
        ids.map((id, n) => [id, online(NOW - (n === 1 ? 1 : 5 - n) * HOUR)]),
      ),
    });
    assert.deepEqual(actionsOf(s), [deregister("i-2"), markUnhealthy("i-2")]);
  });

  it("a stray registration launched first is removed, the newer activated one kept", () => {
    const s = snapshot({
      instances: [member("i-a"), member("i-s")],
      registrations: [...targets("i-a"), ...targets("i-s", "initial")],
      activations: servingA.activations,
      facts: { "i-s": online(NOW - 3 * HOUR), "i-a": online(NOW - 2 * HOUR) },
    });
    assert.deepEqual(plan(s, SETTINGS), {
      actions: [
        {
          ...deregister("i-s"),
          reason: "too many active (2 > 1): never activated by the reconciler, removed first",
        },
        {
          ...markUnhealthy("i-s"),
          reason: "too many active (2 > 1): never activated by the reconciler, removed first",
        },
      ],
      notes: [],
    });
  });

  it("an activation in flight verifies too: the older stray goes, the promotion continues", () => {
    const running = activation("i-a", "InProgress", NOW - MINUTE);
    const s = snapshot({
      instances: [member("i-a"), member("i-s")],
      registrations: targets("i-s", "healthy"),
      activations: [running],
      facts: { "i-s": online(NOW - 3 * HOUR), "i-a": online(NOW - 2 * HOUR) },
    });
    assert.deepEqual(actionsOf(s), [deregister("i-s"), markUnhealthy("i-s")]);
  });

  it("two strays and one activated instance at capacity 1: both strays removed", () => {
    const s = snapshot({
      instances: [member("i-a"), member("i-s"), member("i-t")],
      registrations: [...targets("i-a"), ...targets("i-s"), ...targets("i-t")],
      activations: servingA.activations,
      facts: {
        "i-s": online(NOW - 4 * HOUR),
        "i-t": online(NOW - 3 * HOUR),
        "i-a": online(NOW - HOUR),
      },
    });
    assert.deepEqual(actionsOf(s), [
      deregister("i-t"),
      markUnhealthy("i-t"),
      deregister("i-s"),
      markUnhealthy("i-s"),
    ]);
  });

  it("among strays the newest goes first (capacity 2: the older stray is kept)", () => {
    const s = snapshot({
      desiredActive: 2,
      instances: [member("i-a"), member("i-s"), member("i-t")],
      registrations: [...targets("i-a"), ...targets("i-s"), ...targets("i-t")],
      activations: servingA.activations,
      facts: {
        "i-s": online(NOW - 3 * HOUR),
        "i-t": online(NOW - 4 * HOUR),
        "i-a": online(NOW - 5 * HOUR),
      },
    });
    assert.deepEqual(actionsOf(s), [deregister("i-s"), markUnhealthy("i-s")]);
  });

  it("among strays an unknown launch time counts as newest, then the greatest instance id", () => {
    const strays = ["i-s", "i-t", "i-u"];
    const s = snapshot({
      desiredActive: 2,
      instances: ["i-a", ...strays].map((id) => member(id)),
      registrations: ["i-a", ...strays].flatMap((id) => targets(id)),
      activations: servingA.activations,
      facts: { "i-a": online(NOW - HOUR), "i-s": online(NOW - 3 * HOUR) },
    });
    assert.deepEqual(actionsOf(s), [
      deregister("i-u"),
      markUnhealthy("i-u"),
      deregister("i-t"),
      markUnhealthy("i-t"),
    ]);
  });

  it("without facts: strays first, then by greatest instance id", () => {
    const s = snapshot({
      desiredActive: 1,
      instances: [member("i-a"), member("i-b"), member("i-d")],
      registrations: [...targets("i-a"), ...targets("i-b"), ...targets("i-d")],
      activations: [
        activation("i-b", "Success", NOW - HOUR),
        activation("i-d", "Success", NOW - HOUR),
      ],
    });
    assert.deepEqual(actionsOf(s), [
      deregister("i-a"),
      markUnhealthy("i-a"),
      deregister("i-d"),
      markUnhealthy("i-d"),
    ]);
  });
});

describe("plan: rule 6, promotion", () => {
  it("first start: activates the warm instance launched first", () => {
    const s = snapshot({ instances: warm, facts: warmFacts });
    assert.deepEqual(plan(s, SETTINGS), {
      actions: [{ ...activate("i-b"), reason: "warm standby promoted (deficit 1)" }],
      notes: [],
    });
  });

  it("same launch time: the smallest instance id first", () => {
    const s = snapshot({
      instances: [member("i-c"), member("i-b")],
      facts: { "i-b": online(NOW - HOUR), "i-c": online(NOW - HOUR) },
    });
    assert.deepEqual(actionsOf(s), [activate("i-b")]);
  });

  it("skips agents that are offline", () => {
    const s = snapshot({
      instances: warm,
      facts: { "i-b": offline(NOW - 3 * HOUR), "i-c": online(NOW - 2 * HOUR) },
    });
    assert.deepEqual(actionsOf(s), [activate("i-c")]);
  });

  it("all agents offline: nothing, and a note", () => {
    const s = snapshot({
      instances: warm,
      facts: { "i-b": offline(NOW - 3 * HOUR), "i-c": offline(NOW - 2 * HOUR) },
    });
    assert.deepEqual(plan(s, SETTINGS), {
      actions: [],
      notes: [
        "no warm candidate for 1 of 1 missing active instance(s): the next event or the schedule retries",
      ],
    });
  });

  it("facts missing: nothing, and a note", () => {
    const s = snapshot({ instances: warm });
    assert.deepEqual(plan(s, SETTINGS), {
      actions: [],
      notes: ["facts not observed: cannot rank warm candidates for a deficit of 1"],
    });
  });

  it("capacity 2, one candidate: activates it and notes the rest", () => {
    const s = snapshot({
      desiredActive: 2,
      instances: warm,
      facts: { "i-b": online(NOW - HOUR), "i-c": offline(NOW - HOUR) },
    });
    assert.deepEqual(actionsOf(s), [activate("i-b")]);
    assert.deepEqual(plan(s, SETTINGS).notes, [
      "no warm candidate for 1 of 2 missing active instance(s): the next event or the schedule retries",
    ]);
  });

  it("capacity 2 with one serving: activates one", () => {
    const s = withA({ ...servingA, desiredActive: 2, instances: [member("i-a"), ...warm] });
    assert.deepEqual(actionsOf(s), [activate("i-b")]);
  });

  it("capacity 3 with one serving: activates both warm standbys in rank order", () => {
    const s = withA({ ...servingA, desiredActive: 3, instances: [member("i-a"), ...warm] });
    assert.deepEqual(actionsOf(s), [activate("i-b"), activate("i-c")]);
  });

  it("a member registered only in a foreign target group is warm", () => {
    const s = snapshot({
      instances: [member("i-b")],
      registrations: targets("i-b", "healthy", [TG_FOREIGN]),
      facts: { "i-b": online(NOW - HOUR) },
    });
    assert.deepEqual(actionsOf(s), [activate("i-b")]);
  });
});

describe("plan: derived views", () => {
  const mixed = snapshot({
    instances: [
      member("i-a"),
      member("i-b"),
      member("i-c", { healthStatus: "Unhealthy" }),
      member("i-d", { lifecycleState: "Standby" }),
      member("i-e"),
      member("i-f"),
      member("i-g"),
      member("i-h"),
      member("i-i"),
      member("i-j"),
    ],
    registrations: [
      ...targets("i-a", "healthy", [TG_A]),
      ...targets("i-e", "draining"),
      ...targets("i-j", "healthy", [TG_FOREIGN]),
      ...targets("i-x", "unused", [TG_B]),
    ],
    activations: [
      activation("i-f", "Delayed", NOW - MINUTE),
      activation("i-g", "Failed", NOW - HOUR),
      activation("i-h", "InProgress", NOW - LOST_AFTER),
    ],
    facts: {
      "i-a": online(NOW - 9 * HOUR),
      "i-b": online(NOW - 2 * HOUR),
      "i-e": online(NOW - 3 * HOUR),
      "i-i": offline(NOW - 8 * HOUR),
      "i-j": online(NOW - 4 * HOUR),
    },
  });

  it("activeInstanceIds: registered (not draining, managed groups) or in flight, sorted", () => {
    assert.deepEqual(activeInstanceIds(mixed, SETTINGS), ["i-a", "i-f", "i-x"]);
  });

  it("warmInstanceIds: Healthy, InService, inactive, never activated, agent Online, oldest first", () => {
    assert.deepEqual(warmInstanceIds(mixed, SETTINGS), ["i-j", "i-e", "i-b"]);
  });

  it("warmInstanceIds without facts: every would-be candidate by instance id", () => {
    const s = { ...mixed, facts: undefined };
    assert.deepEqual(warmInstanceIds(s, SETTINGS), ["i-b", "i-e", "i-i", "i-j"]);
  });
});

describe("needsFacts", () => {
  const rows: [string, Snapshot, boolean][] = [
    ["steady state", snapshot({ ...servingA, instances: [member("i-a"), ...warm] }), false],
    ["deficit", snapshot({ instances: warm }), true],
    [
      "surplus",
      snapshot({
        instances: [member("i-a"), member("i-d")],
        registrations: [...targets("i-a"), ...targets("i-d")],
      }),
      true,
    ],
    ["group not found", snapshot({ groupFound: false, instances: warm }), false],
    ["no capacity tag", snapshot({ desiredActive: null, instances: warm }), false],
    [
      "deficit covered by an in-flight activation",
      snapshot({ instances: warm, activations: [activation("i-b", "InProgress", NOW - MINUTE)] }),
      false,
    ],
    [
      "deficit covered by a Cancelling command",
      snapshot({ instances: warm, activations: [activation("i-z", "Cancelling", NOW - MINUTE)] }),
      false,
    ],
    [
      "deficit covered by registering a finished activation",
      snapshot({ instances: warm, activations: [activation("i-b", "Success", NOW - MINUTE)] }),
      false,
    ],
    [
      "deficit left by fencing a finished activation past its grace",
      snapshot({ instances: warm, activations: [activation("i-b", "Success", NOW - HOUR)] }),
      true,
    ],
    ["capacity 0, nothing active", snapshot({ desiredActive: 0, instances: warm }), false],
  ];
  for (const [name, s, expected] of rows) {
    it(`${name}: ${expected}`, () => assert.equal(needsFacts(s, SETTINGS), expected));
  }

  it("ignores facts that are present", () => {
    const s = snapshot({ instances: warm, facts: warmFacts });
    assert.equal(needsFacts(s, SETTINGS), true);
  });
});
