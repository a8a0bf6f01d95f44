// Every bad config value stops the program with one exact message before any resource (or
// lookup) happens; several bad values are reported together.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { activationDocumentContent } from "../../components/activationDocument";
import { LOG_RETENTION_DAYS } from "../../components/configParsers";
import { runProgram, type ProgramFailure } from "../../sandbox/pulumi-mocks";
import { DEV_CONFIG } from "./stacks";

const NS = "warm-standby";
const HEADER = "Invalid stack configuration:\n- ";
const FIX_CAPACITY = (key: string) => `Fix: pulumi config set ${key} 1`;
const FIX_PORTS =
  "Fix: pulumi config set --path 'ports[0]' 8080, one entry per TCP port of the application";
const FIX_SUBNETS =
  "Fix: pulumi config set --path 'subnetIds[0]' subnet-0123456789abcdef0, one private subnet per Availability Zone";
const FIX_SCRIPT =
  "Fix: point it at a non-empty PowerShell file, relative to the project directory, e.g. scripts/activate.ps1";
const FIX_TIMEOUT =
  "Fix: pulumi config set activationTimeoutSeconds 600 (the reconciler Lambda's timeout is this + 60 s, and Lambda allows at most 900 s)";
const FIX_SCHEDULE = "Fix: pulumi config set reconcileSchedule 'rate(5 minutes)'";
const FIX_CIDRS = `Fix: list IPv4 networks, e.g. ["10.0.0.0/16"], or [] for the VPC's CIDR`;
const FIX_AMI = "Fix: pulumi config set amiId ami-0123456789abcdef0";

/** A config that differs from the dev stack's by `changes` (undefined removes the key). */
function devWith(changes: Record<string, unknown>): Record<string, unknown> {
  const config = { ...DEV_CONFIG };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete config[`${NS}:${key}`];
    else config[`${NS}:${key}`] = value;
  }
  return config;
}

async function failure(config: Record<string, unknown>): Promise<ProgramFailure> {
  const outcome = await runProgram(config).then(
    () => undefined,
    (error: ProgramFailure) => error,
  );
  assert.ok(outcome, "the program ran although the config is bad");
  return outcome;
}

describe("program: stack config validation", () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), "warm-standby-config-"));
  const emptyScript = path.join(temp, "empty.ps1");
  const placeholderScript = path.join(temp, "placeholder.ps1");
  before(() => {
    fs.writeFileSync(emptyScript, "  \r\n\n");
    fs.writeFileSync(placeholderScript, "Start-Service '{{ services }}'\n");
  });
  after(() => fs.rmSync(temp, { recursive: true }));

  const placeholderProblem = () => {
    try {
      activationDocumentContent({
        script: fs.readFileSync(placeholderScript, "utf8"),
        services: ["LegacyAppServer"],
        applicationPort: 8080,
        timeoutSeconds: 600,
      });
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("the document builder accepted a {{ placeholder }}");
  };

  const table: [string, Record<string, unknown>, () => string][] = [
    [
      "capacity 0",
      { activeCapacity: 0 },
      () =>
        `${NS}:activeCapacity = 0: must be a whole number of at least 1. ${FIX_CAPACITY("activeCapacity")}`,
    ],
    [
      "capacity not an integer",
      { activeCapacity: 1.5 },
      () =>
        `${NS}:activeCapacity = 1.5: must be a whole number of at least 1. ${FIX_CAPACITY("activeCapacity")}`,
    ],
    [
      "standby 0",
      { standbyCapacity: 0 },
      () =>
        `${NS}:standbyCapacity = 0: must be a whole number of at least 1. ${FIX_CAPACITY("standbyCapacity")}`,
    ],
    [
      "standby not a number",
      { standbyCapacity: "two" },
      () =>
        `${NS}:standbyCapacity = two: must be a whole number of at least 1. ${FIX_CAPACITY("standbyCapacity")}`,
    ],
    [
      "both amiId and amiName",
      { amiName: "legacy-app-golden-*" },
      () =>
        `${NS}:amiId = ami-0c1d2e3f4a5b6c7d8 and ${NS}:amiName = legacy-app-golden-*: set exactly one of them. Fix: pulumi config rm amiName, or pulumi config rm amiId`,
    ],
    [
      "neither amiId nor amiName",
      { amiId: undefined },
      () =>
        `${NS}:amiId and ${NS}:amiName are both empty: the golden AMI is required. ${FIX_AMI}, or pulumi config set amiName 'my-app-golden-*'`,
    ],
    [
      "malformed amiId",
      { amiId: "ami-123" },
      () => `${NS}:amiId = ami-123: "ami-123" is not an AMI id (ami-...). ${FIX_AMI}`,
    ],
    [
      "no subnet",
      { subnetIds: [] },
      () => `${NS}:subnetIds = []: needs at least one private subnet. ${FIX_SUBNETS}`,
    ],
    ["subnets unset", { subnetIds: undefined }, () => `${NS}:subnetIds is not set. ${FIX_SUBNETS}`],
    [
      "malformed subnet",
      { subnetIds: ["sub-1"] },
      () => `${NS}:subnetIds = ["sub-1"]: "sub-1" is not a subnet id (subnet-...). ${FIX_SUBNETS}`,
    ],
    ["port 0", { ports: [0] }, () => `${NS}:ports = [0]: port 0 is outside 1-65535. ${FIX_PORTS}`],
    [
      "port 65536",
      { ports: [8080, 65536] },
      () => `${NS}:ports = [8080,65536]: port 65536 is outside 1-65535. ${FIX_PORTS}`,
    ],
    [
      "duplicate port",
      { ports: [8080, 8443, 8080] },
      () => `${NS}:ports = [8080,8443,8080]: port 8080 is listed twice. ${FIX_PORTS}`,
    ],
    ["no port", { ports: [] }, () => `${NS}:ports = []: needs at least one port. ${FIX_PORTS}`],
    [
      "ports not a list",
      { ports: 8080 },
      () => `${NS}:ports = 8080: must be a list of TCP port numbers. ${FIX_PORTS}`,
    ],
    [
      "missing script",
      { activationScript: "scripts/missing.ps1" },
      () =>
        `${NS}:activationScript = scripts/missing.ps1: no such file in the project directory. ${FIX_SCRIPT}`,
    ],
    [
      "empty script",
      { activationScript: emptyScript },
      () => `${NS}:activationScript = ${emptyScript}: the file is empty. ${FIX_SCRIPT}`,
    ],
    [
      "script path empty",
      { activationScript: "" },
      () => `${NS}:activationScript = "": must name the script file. ${FIX_SCRIPT}`,
    ],
    [
      "script the document refuses",
      { activationScript: placeholderScript },
      () => `${NS}:activationScript = ${placeholderScript}: ${placeholderProblem()}. ${FIX_SCRIPT}`,
    ],
    [
      "timeout beyond Lambda's",
      { activationTimeoutSeconds: 900 },
      () =>
        `${NS}:activationTimeoutSeconds = 900: must be a whole number from 60 to 840. ${FIX_TIMEOUT}`,
    ],
    [
      "timeout without margin",
      { activationTimeoutSeconds: 841 },
      () =>
        `${NS}:activationTimeoutSeconds = 841: must be a whole number from 60 to 840. ${FIX_TIMEOUT}`,
    ],
    [
      "timeout too short",
      { activationTimeoutSeconds: 59 },
      () =>
        `${NS}:activationTimeoutSeconds = 59: must be a whole number from 60 to 840. ${FIX_TIMEOUT}`,
    ],
    [
      "interval below AWS's",
      { healthCheckIntervalSeconds: 4 },
      () =>
        `${NS}:healthCheckIntervalSeconds = 4: must be a whole number from 5 to 300. Fix: pulumi config set healthCheckIntervalSeconds 5 (AWS accepts 5-300)`,
    ],
    [
      "interval above AWS's",
      { healthCheckIntervalSeconds: 301 },
      () =>
        `${NS}:healthCheckIntervalSeconds = 301: must be a whole number from 5 to 300. Fix: pulumi config set healthCheckIntervalSeconds 5 (AWS accepts 5-300)`,
    ],
    [
      "healthy threshold 1",
      { healthyThreshold: 1 },
      () =>
        `${NS}:healthyThreshold = 1: must be a whole number from 2 to 10. Fix: pulumi config set healthyThreshold 2 (AWS accepts 2-10)`,
    ],
    [
      "unhealthy threshold 11",
      { unhealthyThreshold: 11 },
      () =>
        `${NS}:unhealthyThreshold = 11: must be a whole number from 2 to 10. Fix: pulumi config set unhealthyThreshold 2 (AWS accepts 2-10)`,
    ],
    [
      "health-check port 70000",
      { healthCheckPort: 70000 },
      () =>
        `${NS}:healthCheckPort = 70000: must be a whole number from 0 to 65535. Fix: pulumi config set healthCheckPort 8080, or 0 for the first of ports`,
    ],
    [
      "deregistration delay 3601",
      { deregistrationDelaySeconds: 3601 },
      () =>
        `${NS}:deregistrationDelaySeconds = 3601: must be a whole number from 0 to 3600. Fix: pulumi config set deregistrationDelaySeconds 30 (AWS accepts 0-3600)`,
    ],
    [
      "schedule in words",
      { reconcileSchedule: "every 5 minutes" },
      () =>
        `${NS}:reconcileSchedule = every 5 minutes: must be rate(<number> <minute|minutes|hour|hours|day|days>) or cron(<6 fields>). ${FIX_SCHEDULE}`,
    ],
    [
      "rate with a plural for 1",
      { reconcileSchedule: "rate(1 minutes)" },
      () => `${NS}:reconcileSchedule = rate(1 minutes): write "1 minute". ${FIX_SCHEDULE}`,
    ],
    [
      "cron with 5 fields",
      { reconcileSchedule: "cron(0 * * * *)" },
      () =>
        `${NS}:reconcileSchedule = cron(0 * * * *): must be rate(<number> <minute|minutes|hour|hours|day|days>) or cron(<6 fields>). ${FIX_SCHEDULE}`,
    ],
    [
      "CIDR without 4 octets",
      { allowedCidrs: ["10.0.0/8"] },
      () =>
        `${NS}:allowedCidrs = ["10.0.0/8"]: "10.0.0/8" is not an IPv4 CIDR such as 10.0.0.0/16. ${FIX_CIDRS}`,
    ],
    [
      "CIDR with host bits",
      { allowedCidrs: ["10.20.0.0/16", "10.0.0.1/16"] },
      () =>
        `${NS}:allowedCidrs = ["10.20.0.0/16","10.0.0.1/16"]: "10.0.0.1/16" has host bits set (did you mean 10.0.0.0/16?). ${FIX_CIDRS}`,
    ],
    [
      "CIDR prefix 33",
      { allowedCidrs: ["10.0.0.0/33"] },
      () =>
        `${NS}:allowedCidrs = ["10.0.0.0/33"]: "10.0.0.0/33" is not an IPv4 CIDR such as 10.0.0.0/16. ${FIX_CIDRS}`,
    ],
    [
      "vpc unset",
      { vpcId: undefined },
      () =>
        `${NS}:vpcId is not set. Fix: pulumi config set vpcId vpc-0123456789abcdef0 (the VPC of subnetIds)`,
    ],
    [
      "malformed vpc",
      { vpcId: "my-vpc" },
      () =>
        `${NS}:vpcId = my-vpc: "my-vpc" is not a VPC id (vpc-...). Fix: pulumi config set vpcId vpc-0123456789abcdef0 (the VPC of subnetIds)`,
    ],
    [
      "internal not a boolean",
      { internal: "yes" },
      () => `${NS}:internal = yes: must be true or false. Fix: pulumi config set internal true`,
    ],
    [
      "retention CloudWatch refuses",
      { logRetentionDays: 31 },
      () =>
        `${NS}:logRetentionDays = 31: is not a retention period CloudWatch Logs accepts. Fix: use one of ${LOG_RETENTION_DAYS.join(", ")}`,
    ],
    [
      "policy name instead of ARN",
      { extraInstancePolicyArns: ["AmazonS3ReadOnlyAccess"] },
      () =>
        `${NS}:extraInstancePolicyArns = ["AmazonS3ReadOnlyAccess"]: "AmazonS3ReadOnlyAccess" is not an IAM policy ARN. Fix: list IAM policy ARNs, e.g. ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]`,
    ],
    [
      "service name with a quote",
      { activationServices: ["Legacy'App"] },
      () =>
        `${NS}:activationServices = ["Legacy'App"]: "Legacy'App" is not a Windows service name (letters, digits, _ . - $ and inner spaces). Fix: list Windows service names, e.g. ["MyAppService"]`,
    ],
    [
      "instance type without family",
      { instanceType: "large" },
      () =>
        `${NS}:instanceType = large: "large" is not an instance type. Fix: pulumi config set instanceType m6i.large`,
    ],
    [
      "malformed NLB subnet",
      { loadBalancerSubnetIds: ["public-a"] },
      () =>
        `${NS}:loadBalancerSubnetIds = ["public-a"]: "public-a" is not a subnet id (subnet-...). Fix: list the load balancer's subnets (public ones for an internet-facing NLB), or [] to use subnetIds`,
    ],
    [
      "no AMI owner",
      { amiOwners: [] },
      () =>
        `${NS}:amiOwners = []: needs at least one owner. Fix: list the AMI owners (account ids or aliases), e.g. ["self"]`,
    ],
  ];

  for (const [what, changes, expected] of table) {
    it(`refuses ${what} with one exact message, before any resource or lookup`, async () => {
      const error = await failure(devWith(changes));
      assert.equal(error.message, HEADER + expected());
      assert.deepEqual(error.resources, []);
      assert.deepEqual(error.invokes, []);
    });
  }

  it("reports every bad value at once, in one error", async () => {
    const error = await failure(
      devWith({ activeCapacity: 0, ports: [8080, 8080], amiName: "x-*", internal: "no" }),
    );
    assert.equal(
      error.message,
      HEADER +
        [
          `${NS}:activeCapacity = 0: must be a whole number of at least 1. ${FIX_CAPACITY("activeCapacity")}`,
          `${NS}:ports = [8080,8080]: port 8080 is listed twice. ${FIX_PORTS}`,
          `${NS}:internal = no: must be true or false. Fix: pulumi config set internal true`,
          `${NS}:amiId = ami-0c1d2e3f4a5b6c7d8 and ${NS}:amiName = x-*: set exactly one of them. Fix: pulumi config rm amiName, or pulumi config rm amiId`,
        ].join("\n- "),
    );
    assert.deepEqual(error.resources, []);
  });
});
