// The plan `npm start` prints first: every resource the program would create under the chosen
// stack, with its type, name and the few settings that matter for this system.
import { formatTable } from "./text-table";

export interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface PlanRow {
  type: string;
  name: string;
  settings: string;
}

/** Input paths shown per resource type, in this order (absent ones are skipped). */
const KEY_SETTINGS: Record<string, string[]> = {
  "aws:autoscaling/group:Group": [
    "minSize",
    "maxSize",
    "desiredCapacity",
    "healthCheckType",
    "healthCheckGracePeriod",
    "suspendedProcesses",
    "vpcZoneIdentifiers",
  ],
  "aws:autoscaling/attachment:Attachment": ["autoscalingGroupName", "lbTargetGroupArn"],
  "aws:autoscaling/lifecycleHook:LifecycleHook": [
    "lifecycleTransition",
    "heartbeatTimeout",
    "defaultResult",
  ],
  "aws:lb/loadBalancer:LoadBalancer": [
    "loadBalancerType",
    "internal",
    "enableCrossZoneLoadBalancing",
    "subnets",
    "tags",
  ],
  "aws:lb/targetGroup:TargetGroup": [
    "protocol",
    "port",
    "targetType",
    "healthCheck.interval",
    "healthCheck.healthyThreshold",
    "healthCheck.unhealthyThreshold",
    "deregistrationDelay",
    "connectionTermination",
  ],
  "aws:lb/listener:Listener": ["protocol", "port"],
  "aws:ec2/launchTemplate:LaunchTemplate": [
    "imageId",
    "instanceType",
    "metadataOptions.httpTokens",
    "blockDeviceMappings.0.ebs.volumeType",
    "blockDeviceMappings.0.ebs.encrypted",
    "networkInterfaces.0.associatePublicIpAddress",
    "keyName",
  ],
  "aws:ssm/document:Document": ["documentType", "documentFormat"],
  "aws:lambda/function:Function": [
    "runtime",
    "handler",
    "timeout",
    "memorySize",
    "reservedConcurrentExecutions",
  ],
  "aws:lambda/permission:Permission": ["action", "principal"],
  "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays"],
  "aws:cloudwatch/eventRule:EventRule": ["scheduleExpression"],
  "aws:cloudwatch/eventTarget:EventTarget": [
    "retryPolicy.maximumRetryAttempts",
    "retryPolicy.maximumEventAgeInSeconds",
    "deadLetterConfig.arn",
  ],
  "aws:sqs/queue:Queue": ["sqsManagedSseEnabled", "kmsMasterKeyId", "messageRetentionSeconds"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["policyArn"],
};

export function planRows(resources: PlannedResource[]): PlanRow[] {
  return resources.map((resource) => ({
    type: shortType(resource.type),
    name: resource.name,
    settings: keySettings(resource).join(", "),
  }));
}

export function formatPlan(resources: PlannedResource[]): string {
  return formatTable(planRows(resources), [
    { header: "TYPE", value: (row) => row.type },
    { header: "NAME", value: (row) => row.name },
    { header: "KEY SETTINGS", value: (row) => row.settings },
  ]);
}

/** "aws:lb/targetGroup:TargetGroup" -> "aws:lb:TargetGroup" (module and class say it all). */
export function shortType(type: string): string {
  const match = /^([^:]+):([^/:]+)\/[^:]+:(.+)$/.exec(type);
  return match ? `${match[1]}:${match[2]}:${match[3]}` : type;
}

function keySettings(resource: PlannedResource): string[] {
  const { inputs } = resource;
  const shown = (KEY_SETTINGS[resource.type] ?? []).flatMap((key) => {
    const value = lookup(inputs, key);
    return value === undefined || value === null ? [] : [`${key}=${display(value)}`];
  });
  // Documents whose content decides behaviour get a summary instead of their JSON.
  for (const key of ["policy", "assumeRolePolicy"]) {
    if (typeof inputs[key] === "string") shown.push(`${key}: ${policySummary(inputs[key])}`);
  }
  if (typeof inputs.eventPattern === "string") {
    shown.push(`eventPattern: ${patternSummary(inputs.eventPattern)}`);
  }
  for (const key of ["ingress", "egress"]) {
    if (Array.isArray(inputs[key]) && inputs[key].length > 0) {
      shown.push(`${key}: ${(inputs[key] as SecurityRule[]).map(ruleSummary).join("; ")}`);
    }
  }
  const variables = (inputs.environment as { variables?: object } | undefined)?.variables;
  if (variables) shown.push(`env: ${Object.keys(variables).join(" ")}`);
  if (resource.type === "aws:lambda/function:Function" && inputs.code) {
    shown.push("code: AssetArchive");
  }
  return shown;
}

function lookup(inputs: Record<string, unknown>, dotted: string): unknown {
  return dotted
    .split(".")
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined,
      inputs,
    );
}

function display(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(display).join(" ")}]`;
  if (value && typeof value === "object") {
    const pairs = Object.entries(value).map(([key, item]) => `${key}=${display(item)}`);
    return `{${pairs.join(" ")}}`;
  }
  // An ARN says what it is at its end: "arn:aws:sqs:region:account:queue" -> "queue".
  const text = String(value);
  return text.startsWith("arn:") ? text.split(":").slice(5).join(":") : text;
}

interface SecurityRule {
  protocol?: string;
  fromPort?: number;
  toPort?: number;
  cidrBlocks?: string[];
}

function ruleSummary(rule: SecurityRule): string {
  const ports =
    rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `${rule.protocol} ${ports} ${(rule.cidrBlocks ?? []).join(" ")}`.trim();
}

/** The actions an IAM document allows or the principals it trusts, in short. */
function policySummary(text: unknown): string {
  try {
    const statements = [JSON.parse(String(text)).Statement].flat() as Array<
      Record<string, unknown>
    >;
    const parts = statements.flatMap((statement) => {
      const principal = statement.Principal as Record<string, unknown> | undefined;
      const actions = [statement.Action].flat().filter((action) => action !== undefined);
      return principal
        ? [`${actions.join(" ")} by ${Object.values(principal).flat().join(" ")}`]
        : actions.map(String);
    });
    return [...new Set(parts)].join(" ");
  } catch {
    return "(not JSON)";
  }
}

function patternSummary(text: string): string {
  try {
    const pattern = JSON.parse(text) as Record<string, unknown>;
    return [pattern.source, pattern["detail-type"]].flat().filter(Boolean).join(" | ");
  } catch {
    return "(not JSON)";
  }
}
