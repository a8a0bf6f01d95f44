// A simulated AWS on a virtual clock, served over HTTP, with the real SDK clients pointed at it.
import {
  SimulatedAws,
  VirtualClock,
  sdkClientsFor,
  startSimServer,
  type SimClients,
  type SimOptions,
  type SimServer,
} from "../../sandbox/sim";

export interface Harness {
  clock: VirtualClock;
  sim: SimulatedAws;
  clients: SimClients;
  server: SimServer;
  close(): Promise<void>;
}

export async function startHarness(
  options: Omit<SimOptions, "clock"> = {},
  maxAttempts = 3,
): Promise<Harness> {
  const clock = new VirtualClock();
  const sim = new SimulatedAws({ ...options, clock });
  const server = await startSimServer(sim);
  // A 1 ms backoff keeps retried calls fast; the SDK still decides what it retries.
  const clients = sdkClientsFor(server.url, { maxAttempts, retryDelayMs: 1 });
  return {
    clock,
    sim,
    clients,
    server,
    close: async () => {
      clients.destroy();
      await server.close();
    },
  };
}

export type SdkError = Error & {
  $metadata: { httpStatusCode?: number; attempts?: number };
  $retryable?: unknown;
};

/** The error the promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("expected a rejection");
}
