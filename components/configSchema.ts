// The stack config's keys: which are required, their defaults (the same as Pulumi.yaml's) and how
// to fix each one when its value is wrong.
import { LOG_RETENTION_DAYS } from "./configParsers";

export const CONFIG_NAMESPACE = "warm-standby";

/** Keys without a default: the stack must set them. */
export const REQUIRED_KEYS = ["vpcId", "subnetIds", "ports"] as const;

/**
 * Defaults, the same as Pulumi.yaml's (a test compares them). Pulumi insists on a value for every
 * declared key without a default, so optional keys default to an empty value meaning "not set".
 */
export const CONFIG_DEFAULTS = {
  loadBalancerSubnetIds: [] as string[],
  amiId: "",
  amiName: "",
  amiOwners: ["self"],
  instanceType: "m6i.large",
  keyName: "",
  activeCapacity: 1,
  standbyCapacity: 1,
  healthCheckPort: 0,
  healthCheckIntervalSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  deregistrationDelaySeconds: 30,
  internal: true,
  allowedCidrs: [] as string[],
  activationScript: "scripts/activate.ps1",
  activationServices: [] as string[],
  activationTimeoutSeconds: 600,
  reconcileSchedule: "rate(5 minutes)",
  logRetentionDays: 30,
  extraInstancePolicyArns: [] as string[],
};

export type ConfigKey = (typeof REQUIRED_KEYS)[number] | keyof typeof CONFIG_DEFAULTS;

/** How to fix each key, appended to its error message. */
export const FIX: Record<ConfigKey, string> = {
  vpcId: "pulumi config set vpcId vpc-0123456789abcdef0 (the VPC of subnetIds)",
  subnetIds:
    "pulumi config set --path 'subnetIds[0]' subnet-0123456789abcdef0, one private subnet per Availability Zone",
  loadBalancerSubnetIds:
    "list the load balancer's subnets (public ones for an internet-facing NLB), or [] to use subnetIds",
  amiId: "pulumi config set amiId ami-0123456789abcdef0",
  amiName: "pulumi config set amiName 'my-app-golden-*'",
  amiOwners: 'list the AMI owners (account ids or aliases), e.g. ["self"]',
  instanceType: "pulumi config set instanceType m6i.large",
  keyName: "pulumi config set keyName my-key-pair, or leave it empty",
  activeCapacity: "pulumi config set activeCapacity 1",
  standbyCapacity: "pulumi config set standbyCapacity 1",
  ports: "pulumi config set --path 'ports[0]' 8080, one entry per TCP port of the application",
  healthCheckPort: "pulumi config set healthCheckPort 8080, or 0 for the first of ports",
  healthCheckIntervalSeconds: "pulumi config set healthCheckIntervalSeconds 5 (AWS accepts 5-300)",
  healthyThreshold: "pulumi config set healthyThreshold 2 (AWS accepts 2-10)",
  unhealthyThreshold: "pulumi config set unhealthyThreshold 2 (AWS accepts 2-10)",
  deregistrationDelaySeconds:
    "pulumi config set deregistrationDelaySeconds 30 (AWS accepts 0-3600)",
  internal: "pulumi config set internal true",
  allowedCidrs: 'list IPv4 networks, e.g. ["10.0.0.0/16"], or [] for the VPC\'s CIDR',
  activationScript:
    "point it at a non-empty PowerShell file, relative to the project directory, e.g. scripts/activate.ps1",
  activationServices: 'list Windows service names, e.g. ["MyAppService"]',
  activationTimeoutSeconds:
    "pulumi config set activationTimeoutSeconds 600 (the reconciler Lambda's timeout is this + 60 s, and Lambda allows at most 900 s)",
  reconcileSchedule: "pulumi config set reconcileSchedule 'rate(5 minutes)'",
  logRetentionDays: `use one of ${LOG_RETENTION_DAYS.join(", ")}`,
  extraInstancePolicyArns:
    'list IAM policy ARNs, e.g. ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]',
};
