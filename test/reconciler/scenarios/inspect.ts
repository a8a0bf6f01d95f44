// Reading a scenario's outcome: the calls that changed something, the simulator's state in a
// comparable form, and the simulator's instance ids.
import { strict as assert } from "node:assert";
import type { CallRecord, SimulatedAws } from "../../../sandbox/sim";

/** Operations that change the world; everything else the reconciler calls only reads. */
const MUTATIONS = [
  "RegisterTargets",
  "DeregisterTargets",
  "SetInstanceHealth",
  "SendCommand",
  "CancelCommand",
];

/** The instance a call is about, if it names one. */
export function instanceOf(call: CallRecord): string | undefined {
  const input = call.input as {
    InstanceId?: string;
    InstanceIds?: string[];
    Targets?: { Id: string }[];
  };
  return input.InstanceId ?? input.InstanceIds?.[0] ?? input.Targets?.[0]?.Id;
}

/** The calls that changed something, as "Operation instance" (ELB ones with their port). */
export function mutationsOf(calls: readonly CallRecord[], sim: SimulatedAws): string[] {
  return calls
    .filter((call) => MUTATIONS.includes(call.operation) && call.error === undefined)
    .map((call) => {
      const arn = (call.input as { TargetGroupArn?: string }).TargetGroupArn;
      const port = arn === undefined ? "" : ` :${portOf(sim, arn)}`;
      return `${call.operation} ${instanceOf(call)}${port}`;
    });
}

function portOf(sim: SimulatedAws, targetGroupArn: string): number {
  return sim.options.targetPorts[sim.options.targetGroupArns.indexOf(targetGroupArn)];
}

/**
 * Asserts `actual` is made of these phases, in order; calls within a phase run in parallel (their
 * order on the wire is not fixed), so each phase is compared as a sorted list.
 */
export function assertPhases(actual: string[], phases: string[][]): void {
  const sorted = (list: string[]) => [...list].sort();
  let start = 0;
  const seen = phases.map((phase) => {
    const slice = actual.slice(start, start + phase.length);
    start += phase.length;
    return sorted(slice);
  });
  assert.deepEqual(
    { phases: seen, rest: actual.slice(start) },
    { phases: phases.map(sorted), rest: [] },
  );
}

/** Instances registered and "healthy" in every target group of the simulator. */
export function healthyEverywhere(sim: SimulatedAws): string[] {
  const registrations = sim.registrations();
  return sim
    .groupInstanceIds()
    .filter((id) =>
      sim.options.targetGroupArns.every((arn) =>
        registrations.some(
          (r) => r.instanceId === id && r.targetGroupArn === arn && r.state === "healthy",
        ),
      ),
    );
}

/** What a scenario's end state is made of, comparable across runs. */
export function stateOf(sim: SimulatedAws) {
  return {
    group: sim.groupInstanceIds(),
    active: sim.activeInstanceIds(),
    appRunning: sim.appRunningIds(),
    targets: sim
      .registrations()
      .map((r) => `${r.instanceId} :${r.port} ${r.state}`)
      .sort(),
    commands: sim.commands().map((c) => `${c.instanceId} ${c.status}`),
  };
}

/** Ids of the group's instances as the simulator numbers them: n -> "i-0000000000000000n". */
export function instanceId(serial: number): string {
  return `i-0${serial.toString(16).padStart(16, "0")}`;
}
