// The four real SDK v3 clients, pointed at a simulator server, for in-process use; and the
// environment that points a separate process's clients at it (AWS_ENDPOINT_URL).
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SSMClient } from "@aws-sdk/client-ssm";
// The SDK's own retry strategy (the package its clients load), with a fixed, short backoff: the
// SDK still decides what is retryable (throttling, transient), tests just do not wait seconds.
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { RetryStrategyV2 } from "@smithy/types";

export const SIM_REGION = "eu-central-1";
const SIM_CREDENTIALS = { accessKeyId: "AKIASIMULATEDAWS0000", secretAccessKey: "simulated" };

export interface SimClients {
  autoScaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  ssm: SSMClient;
  ec2: EC2Client;
  /** Closes the clients' sockets. */
  destroy(): void;
}

export interface SimClientOptions {
  /** Attempts per call, first included (SDK default 3). */
  maxAttempts?: number;
  /** Fixed delay between attempts; omitted: the SDK's default backoff (up to seconds). */
  retryDelayMs?: number;
  /** A strategy of your own (e.g. one that records what the SDK classified); wins over both. */
  retryStrategy?: RetryStrategyV2;
}

export function sdkClientsFor(url: string, options: SimClientOptions = {}): SimClients {
  const maxAttempts = options.maxAttempts ?? 3;
  const config = {
    region: SIM_REGION,
    endpoint: url,
    credentials: SIM_CREDENTIALS,
    maxAttempts,
    ...retryStrategyOf(maxAttempts, options),
  };
  const clients = {
    autoScaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    ssm: new SSMClient(config),
    ec2: new EC2Client(config),
  };
  return {
    ...clients,
    destroy: () => Object.values(clients).forEach((client) => client.destroy()),
  };
}

function retryStrategyOf(
  maxAttempts: number,
  options: SimClientOptions,
): { retryStrategy?: RetryStrategyV2 } {
  if (options.retryStrategy) return { retryStrategy: options.retryStrategy };
  if (options.retryDelayMs === undefined) return {};
  return { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, options.retryDelayMs) };
}

/** Environment for a child process whose SDK clients must reach the simulator. */
export function sdkEnvFor(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: SIM_REGION,
    AWS_DEFAULT_REGION: SIM_REGION,
    AWS_ACCESS_KEY_ID: SIM_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SIM_CREDENTIALS.secretAccessKey,
  };
}
