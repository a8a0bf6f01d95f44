// Checks the whole stack config at once and turns it into the component's arguments. Pure: the
// raw text of each key and a file reader come in, arguments or every problem come out, so that a
// user fixes all mistakes in one round instead of one per `pulumi up`.
import {
  MAX_SERVICE_NAME_LENGTH,
  SERVICE_NAME_PATTERN,
  activationDocumentContent,
} from "./activationDocument";
import type { WarmStandbyGroupArgs } from "./args";
import { CONFIG_DEFAULTS, CONFIG_NAMESPACE, type ConfigKey, FIX } from "./configSchema";
import {
  type Parsed,
  LOG_RETENTION_DAYS,
  cidrProblem,
  parseBoolean,
  parseInteger,
  parsePortList,
  parseStringList,
  scheduleProblem,
} from "./configParsers";

export type RawConfig = Record<string, string | undefined>;

export interface ConfigCheck {
  /** Set only when there is no error. */
  args?: WarmStandbyGroupArgs;
  errors: string[];
  warnings: string[];
}

/** Reads a file relative to the project directory; undefined when there is no such file. */
export type ScriptReader = (path: string) => string | undefined;

const accept = <T>(value: T): Parsed<T> => ({ ok: true, value });
const reject = <T>(problem: string): Parsed<T> => ({ ok: false, problem });
const checked = (value: string, problem: string | undefined) =>
  problem ? reject<string>(problem) : accept(value);
const awsId = (prefix: string, what: string) => (value: string) =>
  new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(value)
    ? undefined
    : `"${value}" is not ${what} id (${prefix}-...)`;
const nonEmpty = <T>(list: Parsed<T[]>, problem: string): Parsed<T[]> =>
  list.ok && list.value.length === 0 ? reject(problem) : list;
const integer = (min: number, max?: number) => (text: string) => parseInteger(text, min, max);
const subnetId = awsId("subnet", "a subnet");

/** One parser per key; each gets the key's text (the default's when the stack does not set it). */
const RULES = {
  vpcId: (v: string) => checked(v, awsId("vpc", "a VPC")(v)),
  subnetIds: (v: string) =>
    nonEmpty(parseStringList(v, subnetId), "needs at least one private subnet"),
  loadBalancerSubnetIds: (v: string) => parseStringList(v, subnetId),
  amiId: (v: string) => checked(v, v === "" ? undefined : awsId("ami", "an AMI")(v)),
  amiName: (v: string) => accept(v),
  amiOwners: (v: string) => nonEmpty(parseStringList(v), "needs at least one owner"),
  instanceType: (v: string) =>
    checked(
      v,
      /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(v) ? undefined : `"${v}" is not an instance type`,
    ),
  keyName: (v: string) => accept(v),
  activeCapacity: integer(1),
  standbyCapacity: integer(1),
  ports: (v: string) => nonEmpty(parsePortList(v), "needs at least one port"),
  healthCheckPort: integer(0, 65535),
  healthCheckIntervalSeconds: integer(5, 300),
  healthyThreshold: integer(2, 10),
  unhealthyThreshold: integer(2, 10),
  deregistrationDelaySeconds: integer(0, 3600),
  internal: parseBoolean,
  allowedCidrs: (v: string) => parseStringList(v, cidrProblem),
  activationScript: (v: string) => checked(v, v === "" ? "must name the script file" : undefined),
  activationServices: (v: string) =>
    parseStringList(v, (s) =>
      SERVICE_NAME_PATTERN.test(s) && s.length <= MAX_SERVICE_NAME_LENGTH
        ? undefined
        : `"${s}" is not a Windows service name (letters, digits, _ . - $ and inner spaces)`,
    ),
  // At least 60: the script gets this minus 30 s to report its own failure before SSM stops it
  // (activationDocument.ts); at most 840: the Lambda waits 60 s longer and Lambda stops at 900.
  activationTimeoutSeconds: integer(60, 840),
  reconcileSchedule: (v: string) => checked(v, scheduleProblem(v)),
  logRetentionDays: (v: string) =>
    LOG_RETENTION_DAYS.includes(Number(v))
      ? parseInteger(v, 1)
      : reject<number>("is not a retention period CloudWatch Logs accepts"),
  extraInstancePolicyArns: (v: string) =>
    parseStringList(v, (arn) =>
      /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/.test(arn)
        ? undefined
        : `"${arn}" is not an IAM policy ARN`,
    ),
} satisfies Record<ConfigKey, (text: string) => Parsed<unknown>>;

type Values = { [K in ConfigKey]: Extract<ReturnType<(typeof RULES)[K]>, { ok: true }>["value"] };

const keyName = (key: ConfigKey) => `${CONFIG_NAMESPACE}:${key}`;

/** The key's text: the stack's, else the default's rendered as the CLI would pass it. */
function textOf(raw: RawConfig, key: ConfigKey): string | undefined {
  if (raw[key] !== undefined) return raw[key];
  const fallback: unknown = (CONFIG_DEFAULTS as Record<string, unknown>)[key];
  if (fallback === undefined) return undefined;
  return typeof fallback === "string" ? fallback : JSON.stringify(fallback);
}

/** Validates every key, then the rules that span keys; collects every problem. */
export function checkConfig(raw: RawConfig, readScript: ScriptReader): ConfigCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const report = (key: ConfigKey, text: string, problem: string) =>
    errors.push(`${keyName(key)} = ${text === "" ? '""' : text}: ${problem}. Fix: ${FIX[key]}`);

  const values: Partial<Values> = {};
  for (const key of Object.keys(RULES) as ConfigKey[]) {
    const text = textOf(raw, key);
    // Only required keys lack a default, so a missing or empty text means "not set" for them.
    if (text === undefined || (text === "" && !(key in CONFIG_DEFAULTS))) {
      errors.push(`${keyName(key)} is not set. Fix: ${FIX[key]}`);
      continue;
    }
    const parsed = RULES[key](text);
    if (parsed.ok) (values as Record<string, unknown>)[key] = parsed.value;
    else report(key, text, parsed.problem);
  }

  const script = values.activationScript ? readScript(values.activationScript) : undefined;
  if (values.activationScript && !script?.trim()) {
    const problem =
      script === undefined ? "no such file in the project directory" : "the file is empty";
    report("activationScript", values.activationScript, problem);
  }
  if (
    script?.trim() &&
    values.activationServices &&
    values.ports &&
    values.activationTimeoutSeconds &&
    values.healthCheckPort !== undefined
  ) {
    const problem = documentProblem(script, values as Values);
    if (problem) report("activationScript", values.activationScript as string, problem);
  }
  if (values.amiId && values.amiName) {
    errors.push(
      `${keyName("amiId")} = ${values.amiId} and ${keyName("amiName")} = ${values.amiName}: ` +
        "set exactly one of them. Fix: pulumi config rm amiName, or pulumi config rm amiId",
    );
  } else if (values.amiId === "" && values.amiName === "") {
    errors.push(
      `${keyName("amiId")} and ${keyName("amiName")} are both empty: the golden AMI is ` +
        `required. Fix: ${FIX.amiId}, or ${FIX.amiName}`,
    );
  }
  if (values.subnetIds?.length === 1) {
    warnings.push(
      `${keyName("subnetIds")} lists only 1 subnet: a warm standby in the same Availability ` +
        "Zone as the active instance fails with it; list one subnet per zone (at least 2)",
    );
  }
  if (errors.length > 0) return { errors, warnings };
  return { errors, warnings, args: toArgs(values as Values, script as string) };
}

/** Resolves the "not set" values: first port, subnetIds, the VPC's CIDR (left to the component). */
function toArgs(v: Values, script: string): WarmStandbyGroupArgs {
  return {
    vpcId: v.vpcId,
    subnetIds: v.subnetIds,
    loadBalancerSubnetIds:
      v.loadBalancerSubnetIds.length > 0 ? v.loadBalancerSubnetIds : v.subnetIds,
    ami: v.amiId ? { imageId: v.amiId } : { namePattern: v.amiName, owners: v.amiOwners },
    instanceType: v.instanceType,
    ...(v.keyName ? { keyName: v.keyName } : {}),
    activeCapacity: v.activeCapacity,
    standbyCapacity: v.standbyCapacity,
    ports: v.ports,
    healthCheckPort: v.healthCheckPort === 0 ? v.ports[0] : v.healthCheckPort,
    healthCheckIntervalSeconds: v.healthCheckIntervalSeconds,
    healthyThreshold: v.healthyThreshold,
    unhealthyThreshold: v.unhealthyThreshold,
    deregistrationDelaySeconds: v.deregistrationDelaySeconds,
    internal: v.internal,
    ...(v.allowedCidrs.length > 0 ? { allowedCidrs: v.allowedCidrs } : {}),
    activationScript: script,
    activationServices: v.activationServices,
    activationTimeoutSeconds: v.activationTimeoutSeconds,
    reconcileSchedule: v.reconcileSchedule,
    logRetentionDays: v.logRetentionDays,
    extraInstancePolicyArns: v.extraInstancePolicyArns,
  };
}

/** What the activation document builder rejects in the script (e.g. a {{ placeholder }}). */
function documentProblem(script: string, v: Values): string | undefined {
  try {
    activationDocumentContent({
      script,
      services: v.activationServices,
      applicationPort: v.healthCheckPort === 0 ? v.ports[0] : v.healthCheckPort,
      timeoutSeconds: v.activationTimeoutSeconds,
    });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
