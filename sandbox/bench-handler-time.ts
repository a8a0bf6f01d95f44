// The bench's handler wall time: the serialized reconciler in a Lambda-like folder against the
// simulated AWS on the REAL clock, with a fixed latency added to every API call by a proxy. The
// simulator's durations are a few milliseconds, so what is timed is the handler's own work and its
// round trips (plus the short simulated activation in a failover).
import { ENV } from "../reconciler/settings";
import { invokeHandler, prepareLambdaFolder } from "./lambda-runtime";
import {
  SimulatedAws,
  isTerminateEvent,
  realClock,
  sdkEnvFor,
  startSimServer,
  type Timings,
} from "./sim";
import { startSimProxy } from "./sim-proxy";
import type { LoadedStack } from "./stack";
import { scheduleRuleArn, scheduledEventFor, simOptionsFor } from "./story-world";

/** Short real durations: the handler's wall time is the object here, not AWS's. */
export const HANDLER_TIME_SIM_TIMINGS: Timings = {
  launchMs: 50,
  agentOnlineMs: 100,
  terminateMs: 50,
  lifecycleHookHeartbeatMs: 50,
  registrationMs: 100,
  unhealthyAfterMs: 50,
  healthyAfterMs: 50,
  deregistrationDelayMs: 100,
  elbHealthGraceMs: 60_000,
  agentPickupMs: 20,
  activationMs: 200,
};
const HANDLER_TIME_POLL_MS = 50;

export interface HandlerTime {
  instances: number;
  latencyMs: number;
  /** Loading __index.js (and the SDK clients it requires) in the fresh process, median. */
  initMs: number;
  steadyStateMs: number[];
  steadyStateCalls: number;
  /** Includes the simulated activation (agentPickupMs + activationMs of the sim timings). */
  failoverMs: number;
  failoverCalls: number;
}

/** Wall time of the handler against the simulator, every API call delayed by `latencyMs`. */
export async function measureHandlerTime(
  stack: LoadedStack,
  instances: number,
  latencyMs: number,
  repeat: number,
): Promise<HandlerTime> {
  const sim = new SimulatedAws({
    ...simOptionsFor({
      pkg: stack.pkg,
      resources: stack.resources,
      model: stack.model,
      startWarm: true,
      instanceCount: instances,
    }),
    clock: realClock,
    timings: HANDLER_TIME_SIM_TIMINGS,
  });
  const server = await startSimServer(sim);
  const proxy = await startSimProxy(server.url, { latencyMs });
  const folder = prepareLambdaFolder(stack.pkg.indexJs);
  const env = {
    ...stack.pkg.env,
    ...sdkEnvFor(proxy.url),
    [ENV.pollIntervalMs]: String(HANDLER_TIME_POLL_MS),
  };
  const run = async (event: object) => {
    const before = sim.calls.length;
    const outcome = await invokeHandler(folder, {
      event,
      env,
      timeoutMs: stack.pkg.timeoutSeconds * 1000,
      killAfterMs: 60_000,
    });
    if (!outcome.ok) throw new Error(`bench: handler failed: ${JSON.stringify(outcome.error)}`);
    return { ...outcome, calls: sim.calls.length - before };
  };
  const { region, account } = sim.options;
  const ruleArn = scheduleRuleArn(stack.resources, region, account);
  const schedule = () => scheduledEventFor({ region, account, ruleArn }, Date.now(), "bench");
  try {
    await run(schedule());
    const steady = [];
    for (let i = 0; i < repeat; i++) steady.push(await run(schedule()));
    const [active] = sim.activeInstanceIds();
    sim.terminate(active);
    // The first word of the termination: the lifecycle action (Terminating:Wait), once the group
    // has drained the instance from its target groups (deregistrationDelayMs).
    const event = await waitFor(() =>
      sim.events.find((e) => e.detail.EC2InstanceId === active && isTerminateEvent(e)),
    );
    const failover = await run(event);
    return {
      instances,
      latencyMs,
      initMs: median(steady.map((s) => s.initMs ?? 0)),
      steadyStateMs: steady.map((s) => s.durationMs ?? 0),
      steadyStateCalls: steady[0].calls,
      failoverMs: failover.durationMs ?? 0,
      failoverCalls: failover.calls,
    };
  } finally {
    folder.dispose();
    await proxy.close();
    await server.close();
  }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error("bench: timed out waiting for the simulator");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
