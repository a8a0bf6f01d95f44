import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SSMClient } from "@aws-sdk/client-ssm";

/** The four AWS APIs the reconciler talks to. Tests inject mocked instances. */
export interface Clients {
  autoScaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  ssm: SSMClient;
  ec2: EC2Client;
}

/**
 * Real clients for one invocation. Built inside a function (not a module-level singleton) because
 * this module is serialized by value into the Lambda. Region and endpoint are not set here: the SDK
 * reads AWS_REGION and AWS_ENDPOINT_URL from the environment, which is how the offline sandbox
 * points the same code at its simulated AWS. Adaptive retry mode backs off client-side when AWS
 * throttles; 4 attempts keep a throttled invocation well inside the Lambda timeout.
 */
export const MAX_ATTEMPTS = 4;

export function createClients(): Clients {
  const config = { retryMode: "adaptive", maxAttempts: MAX_ATTEMPTS };
  return {
    autoScaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    ssm: new SSMClient(config),
    ec2: new EC2Client(config),
  };
}
