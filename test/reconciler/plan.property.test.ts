// Property-based tests of the planner (reconciler/plan.ts) over random snapshots and random fault
// sequences: rules 1 (capacity, under act's gate), 2 (fencing), 4 (unverified, then newest,
// removed first) and 6 (idempotence, convergence), plus determinism and the overlap argument. The
// active set is measured with the fixtures' independent oracle, not with the planner's own views.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { activeInstanceIds, needsFacts, plan, warmInstanceIds } from "../../reconciler/plan";
import { gatesPromotion, raisesActive } from "../../reconciler/plan-gate";
import type { Action, Activation, Settings, Snapshot } from "../../reconciler/types";
import {
  applyIdeal,
  applyWithGate,
  faultRoundsArbitrary,
  oracleActiveIds,
  scenarioArbitrary,
  shuffleSnapshot,
  stuckIds,
} from "./plan-fixtures";

const RUNS = { numRuns: 300 };
const BITS = 16;
const bitsArbitrary = fc.array(fc.boolean(), { minLength: BITS, maxLength: BITS });

const managed = (s: Snapshot) => s.groupFound && s.desiredActive !== null;
const without = (ids: string[], excluded: string[]) => ids.filter((id) => !excluded.includes(id));
const fencing = (a: Action) => !raisesActive(a);
const fencedIds = (actions: Action[]) => new Set(actions.filter(fencing).map((a) => a.instanceId));

/** Rule 1 across one step: nobody became active unless the total fits the capacity. */
function assertNoGrowthBeyondCapacity(before: Snapshot, after: Snapshot, settings: Settings) {
  const was = oracleActiveIds(before, settings);
  const is = oracleActiveIds(after, settings);
  const desired = before.desiredActive ?? 0;
  if (is.some((id) => !was.includes(id))) {
    assert.ok(is.length <= desired, `became active beyond ${desired}: ${is.join(",")}`);
  }
  const stuck = stuckIds(before, settings);
  const limit = Math.max(desired, without(was, stuck).length);
  assert.ok(without(is, stuck).length <= limit, `active grew: ${was} -> ${is}`);
}

function latestOf(s: Snapshot, instanceId: string): Activation | undefined {
  return s.activations
    .filter((a) => a.instanceId === instanceId)
    .sort((a, b) => a.requestedAt - b.requestedAt || (a.commandId < b.commandId ? -1 : 1))
    .pop();
}

/** The oracle's own statement of "lost": an open status past the activation timeout + 60 s. */
function lostBy(a: Activation, s: Snapshot, settings: Settings): boolean {
  return a.requestedAt + (settings.activationTimeoutSeconds + 60) * 1000 <= s.now;
}

function disqualified(a: Activation | undefined, s: Snapshot, settings: Settings): boolean {
  if (a === undefined) return false;
  if (["Failed", "TimedOut", "Cancelled", "Cancelling"].includes(a.status)) return true;
  const open = ["Pending", "InProgress", "Delayed"].includes(a.status);
  return open && lostBy(a, s, settings);
}

/** Some activation of the instance succeeded or is still in flight (not lost). */
function verified(s: Snapshot, settings: Settings, instanceId: string): boolean {
  return s.activations.some(
    (a) =>
      a.instanceId === instanceId &&
      (a.status === "Success" ||
        (["Pending", "InProgress", "Delayed", "Cancelling"].includes(a.status) &&
          !lostBy(a, s, settings))),
  );
}

function registeredIn(s: Snapshot, settings: Settings, instanceId: string): string[] {
  return settings.targetGroupArns.filter((arn, i, all) =>
    s.registrations.some(
      (r) =>
        all.indexOf(arn) === i &&
        r.instanceId === instanceId &&
        r.targetGroupArn === arn &&
        r.state !== "draining",
    ),
  );
}

describe("plan properties", () => {
  it("is deterministic and independent of the order of the snapshot's arrays", () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.integer(), ({ settings, snapshot }, seed) => {
        const shuffled = shuffleSnapshot(snapshot, seed);
        assert.deepEqual(plan(shuffled, settings), plan(snapshot, settings));
        assert.deepEqual(
          activeInstanceIds(shuffled, settings),
          activeInstanceIds(snapshot, settings),
        );
        assert.deepEqual(warmInstanceIds(shuffled, settings), warmInstanceIds(snapshot, settings));
        assert.equal(needsFacts(shuffled, settings), needsFacts(snapshot, settings));
      }),
      RUNS,
    );
  });

  it("activeInstanceIds is the issue's definition of active", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ settings, snapshot }) => {
        assert.deepEqual(
          activeInstanceIds(snapshot, settings),
          oracleActiveIds(snapshot, settings),
        );
      }),
      RUNS,
    );
  });

  it("an unmanaged group gets no actions", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ settings, snapshot }) => {
        fc.pre(!managed(snapshot));
        assert.deepEqual(plan(snapshot, settings).actions, []);
        assert.equal(needsFacts(snapshot, settings), false);
      }),
      { numRuns: 50 },
    );
  });

  it("actions are well-formed: unique, ordered, reasoned, and none changes nothing", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ settings, snapshot: s }) => {
        const { actions } = plan(s, settings);
        const keys = actions.map((a) =>
          a.kind === "cancelActivation" ? `cancel ${a.commandId}` : `${a.kind} ${a.instanceId}`,
        );
        assert.equal(new Set(keys).size, keys.length, `duplicates: ${keys}`);
        const rank = (a: Action) => (a.kind === "activate" ? 2 : a.kind === "register" ? 1 : 0);
        actions.forEach((a, i) => i > 0 && assert.ok(rank(actions[i - 1]) <= rank(a)));
        for (const a of actions) {
          assert.ok(a.reason.length > 0);
          const entry = s.instances.find((i) => i.instanceId === a.instanceId);
          const registered = registeredIn(s, settings, a.instanceId);
          if (a.kind === "deregister") assert.deepEqual(a.targetGroupArns, registered);
          if (a.kind === "markUnhealthy") assert.equal(entry?.healthStatus, "Healthy");
          if (a.kind === "register") {
            assert.ok(a.targetGroupArns.length > 0);
            a.targetGroupArns.forEach((arn) => assert.ok(!registered.includes(arn)));
          }
          if (a.kind === "cancelActivation") {
            const command = s.activations.find((c) => c.commandId === a.commandId);
            assert.ok(command !== undefined && command.instanceId === a.instanceId);
            assert.ok(["Pending", "InProgress", "Delayed"].includes(command.status));
          }
        }
      }),
      RUNS,
    );
  });

  it("facts change nothing when needsFacts says they are not needed", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ settings, snapshot: s }) => {
        fc.pre(s.facts !== undefined && !needsFacts(s, settings));
        assert.deepEqual(plan(s, settings), plan({ ...s, facts: undefined }, settings));
      }),
      RUNS,
    );
  });

  it("the gate: every fencing action gates; every action is fencing xor promotion", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ settings, snapshot: s }) => {
        for (const a of plan(s, settings).actions) {
          const fences = ["deregister", "cancelActivation", "markUnhealthy"].includes(a.kind);
          assert.equal(gatesPromotion(a), fences, a.kind);
          assert.equal(raisesActive(a), !fences, a.kind);
        }
      }),
      RUNS,
    );
  });

  it("R1: any outcome that respects act's gate keeps the capacity", () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.boolean(), bitsArbitrary, (scenario, fenceAll, bits) => {
        const { settings, snapshot: s } = scenario;
        const { actions } = plan(s, settings);
        const succeeded = actions.map((a, i) => (fenceAll && gatesPromotion(a)) || bits[i % BITS]);
        const after = applyWithGate(s, actions, succeeded);
        const was = oracleActiveIds(s, settings);
        const is = oracleActiveIds(after, settings);
        assertNoGrowthBeyondCapacity(s, after, settings);
        if (!managed(s)) return;
        const gateOpen = actions.every((a, i) => !gatesPromotion(a) || succeeded[i]);
        if (gateOpen) {
          // Every fence held: what the plan controls fits (Cancelling commands it cannot stop).
          const controlled = without(is, stuckIds(s, settings));
          assert.ok(controlled.length <= (s.desiredActive ?? 0), `over capacity: ${controlled}`);
        } else {
          is.forEach((id) => assert.ok(was.includes(id), `${id} became active behind a failure`));
        }
        // A successor only once every fenced predecessor is on its way out of the group.
        if (is.some((id) => !was.includes(id))) {
          for (const a of actions.filter((a) => a.kind === "markUnhealthy")) {
            const entry = after.instances.find((i) => i.instanceId === a.instanceId);
            assert.equal(entry?.healthStatus, "Unhealthy", `${a.instanceId} not on its way out`);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("R2: gone instances are deregistered; failed or activated instances are never promoted", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ settings, snapshot: s }) => {
        fc.pre(managed(s));
        const { actions } = plan(s, settings);
        const gone = (id: string) =>
          s.instances.find((i) => i.instanceId === id)?.lifecycleState !== "InService";
        for (const r of s.registrations) {
          const where = registeredIn(s, settings, r.instanceId);
          if (where.length === 0 || !gone(r.instanceId)) continue;
          const deregister = actions.find(
            (a) => a.kind === "deregister" && a.instanceId === r.instanceId,
          );
          assert.deepEqual(deregister?.kind === "deregister" && deregister.targetGroupArns, where);
        }
        for (const a of actions.filter(raisesActive)) {
          assert.ok(!gone(a.instanceId));
          assert.ok(!disqualified(latestOf(s, a.instanceId), s, settings), `${a.kind} of failed`);
          if (a.kind === "activate") {
            assert.ok(s.activations.every((c) => c.instanceId !== a.instanceId));
            assert.equal(s.facts?.[a.instanceId]?.agentOnline, true);
          }
        }
      }),
      RUNS,
    );
  });

  it("R4: extras removed: unverified first, then the newest; no more than needed; no promotion", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ settings, snapshot: s }) => {
        fc.pre(managed(s));
        const { actions } = plan(s, settings);
        const fenced = fencedIds(actions);
        const active = oracleActiveIds(s, settings);
        // Instances that rules 1-3 cannot touch: if fenced, only rule 5 did it.
        const eligible = active.filter((id) => {
          const entry = s.instances.find((i) => i.instanceId === id);
          const unhealthyTarget = s.registrations.some(
            (r) =>
              r.instanceId === id &&
              settings.targetGroupArns.includes(r.targetGroupArn) &&
              r.state === "unhealthy",
          );
          return (
            entry?.lifecycleState === "InService" &&
            entry.healthStatus === "Healthy" &&
            !unhealthyTarget &&
            !disqualified(latestOf(s, id), s, settings)
          );
        });
        const removed = eligible.filter((id) => fenced.has(id));
        if (removed.length === 0) return;
        const launch = (id: string) => s.facts?.[id]?.launchTime ?? Number.POSITIVE_INFINITY;
        const newer = (x: string, y: string) =>
          launch(x) > launch(y) || (launch(x) === launch(y) && x > y);
        const checked = (id: string) => verified(s, settings, id);
        // x goes before y: unverified before verified, then newer before older.
        const before = (x: string, y: string) =>
          checked(x) === checked(y) ? newer(x, y) : !checked(x);
        for (const keptId of eligible.filter((id) => !fenced.has(id))) {
          removed.forEach((gone) => assert.ok(before(gone, keptId), `${gone} kept ${keptId}`));
        }
        const desired = s.desiredActive ?? 0;
        const notFenced = active.filter((id) => !fenced.has(id));
        assert.ok(without(notFenced, stuckIds(s, settings)).length <= desired);
        assert.ok(notFenced.length >= desired, "removed more than needed");
        assert.ok(actions.every((a) => a.kind !== "activate"));
      }),
      RUNS,
    );
  });

  it("R6: planning again on the state the actions produce yields no actions", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ settings, snapshot: s }) => {
        const after = applyIdeal(s, plan(s, settings).actions);
        assert.deepEqual(plan(after, settings).actions, []);
      }),
      { numRuns: 500 },
    );
  });

  it("R6: random faults, then at most 3 ideal rounds reach an empty plan, within capacity", () => {
    fc.assert(
      fc.property(scenarioArbitrary, faultRoundsArbitrary, ({ settings, snapshot }, rounds) => {
        let s = snapshot;
        const step = (succeeded: (i: number) => boolean) => {
          const actions = plan(s, settings).actions;
          const next = applyWithGate(
            s,
            actions,
            actions.map((_, i) => succeeded(i)),
          );
          assertNoGrowthBeyondCapacity(s, next, settings);
          s = next;
        };
        rounds.forEach((bits) => step((i) => bits[i % BITS]));
        for (let round = 0; round < 3 && plan(s, settings).actions.length > 0; round++) {
          step(() => true);
        }
        assert.deepEqual(plan(s, settings).actions, []);
        if (managed(s)) {
          const controlled = without(oracleActiveIds(s, settings), stuckIds(s, settings));
          assert.ok(controlled.length <= (s.desiredActive ?? 0));
        }
      }),
      RUNS,
    );
  });

  it("overlap (b): two invocations that observe the same state pick the same instances", () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.integer(), fc.integer(), (scenario, seedA, seedB) => {
        const { settings, snapshot: s } = scenario;
        const first = plan(shuffleSnapshot(s, seedA), settings);
        const second = plan(shuffleSnapshot(s, seedB), settings);
        assert.deepEqual(second, first);
        // Both act on their plan: duplicated activations/registrations leave the same active set.
        const both = applyIdeal(applyIdeal(s, first.actions), second.actions);
        assert.deepEqual(
          oracleActiveIds(both, settings),
          oracleActiveIds(applyIdeal(s, first.actions), settings),
        );
        assertNoGrowthBeyondCapacity(s, both, settings);
        // One observes after the other's fencing, before its promotions: the same promotions.
        const midway = applyIdeal(s, first.actions.filter(fencing));
        assert.deepEqual(plan(midway, settings).actions, first.actions.filter(raisesActive));
      }),
      RUNS,
    );
  });

  it("the arbitraries reach every rule, every action kind and every note", () => {
    const seen = new Set<string>();
    const patterns: [string, RegExp][] = [
      ["rule 1", /^gone/],
      ["rule 2", /never serves$/],
      ["rule 3 group", /^Unhealthy in the group/],
      ["rule 3 target", /^target unhealthy/],
      ["rule 4 fence", /capacity is full/],
      ["rule 4 out of grace", /after its promotion grace: fenced, not re-registered$/],
      ["rule 4 register", /registration is incomplete/],
      ["rule 5 stray", /^too many active .*: never activated by the reconciler/],
      ["rule 5 newest", /^too many active .*: newest removed first$/],
      ["rule 6", /^warm standby promoted/],
      ["note facts", /^facts not observed/],
      ["note no candidate", /^no warm candidate/],
      ["note cancelling", /still cancelling/],
      ["note not found", /not found$/],
      ["note no tag", /is not managed$/],
    ];
    for (const { settings, snapshot } of fc.sample(scenarioArbitrary, { numRuns: 3000, seed: 7 })) {
      const { actions, notes } = plan(snapshot, settings);
      actions.forEach((a) => seen.add(a.kind));
      for (const text of [...actions.map((a) => a.reason), ...notes]) {
        patterns.filter(([, pattern]) => pattern.test(text)).forEach(([name]) => seen.add(name));
      }
    }
    const expected = ["deregister", "markUnhealthy", "cancelActivation", "activate", "register"];
    assert.deepEqual(
      [...expected, ...patterns.map(([name]) => name)].filter((name) => !seen.has(name)),
      [],
    );
  });
});
