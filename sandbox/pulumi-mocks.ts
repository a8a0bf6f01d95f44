// Runs the Pulumi program (index.ts) under Pulumi's unit-test mocks: no CLI, no AWS account.
// Every resource is recorded with its inputs and answered with realistic ids, ARNs and names; the
// provider functions the program calls (AMI, VPC, subnet, account lookups) get plausible answers.
// The program's tests use it; any tool that wants the plan without AWS can too.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

const PROJECT_DIR = path.resolve(__dirname, "..");
const PROJECT_NAME = "warm-standby";
const PROGRAM_ENTRY = path.join(PROJECT_DIR, "index.ts");

export interface RecordedResource {
  type: string;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs are arbitrary JSON-like data
  inputs: Record<string, any>;
  id: string;
  /** What the mocks answered: the inputs plus the attributes AWS computes (arn, name, ...). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as inputs
  state: Record<string, any>;
}

export interface RecordedInvoke {
  token: string;
  inputs: Record<string, unknown>;
  result: Record<string, unknown>;
}

export interface ProgramRun {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Warnings the program logged (pulumi.log.warn), without Pulumi's "warning:" prefix. */
  warnings: string[];
  /** Provider functions the program called, with what the mocks answered. */
  invokes: RecordedInvoke[];
}

/** What runProgram rejects with: the program's error, plus what was registered before it. */
export type ProgramFailure = Error & Omit<ProgramRun, "outputs">;

/** The `config:` map of a stack file (Pulumi.<stack>.yaml), keys fully qualified. */
export function loadStackConfig(file: string): Record<string, unknown> {
  const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document?.config ?? {})) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      throw new Error(`${file}: ${key} is a secret; the mock harness cannot decrypt it`);
    }
    config[key.includes(":") ? key : `${PROJECT_NAME}:${key}`] = value;
  }
  return config;
}

/**
 * Runs index.ts afresh with `config` (keys fully qualified, values as YAML gives them) and waits
 * until every resource is registered. Safe to call repeatedly in one process.
 */
export async function runProgram(
  config: Record<string, unknown>,
  opts: { stack?: string } = {},
): Promise<ProgramRun> {
  const run: Omit<ProgramRun, "outputs"> = { resources: [], warnings: [], invokes: [] };
  const region = String(config["aws:region"] ?? "eu-central-1");
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const answer = mockResource(args.type, args.name, args.inputs, region, args.custom);
        run.resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          id: answer.id,
          state: answer.state,
        });
        return answer;
      },
      call: (args) => {
        const result = mockInvoke(args.token, args.inputs, region);
        run.invokes.push({ token: args.token, inputs: args.inputs, result });
        return result;
      },
    },
    PROJECT_NAME,
    opts.stack ?? "dev",
    false,
  );
  // The CLI hands every value over as text, non-strings JSON-encoded.
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
  );
  const restoreWarn = captureWarnings(run.warnings);
  const restoreGlobals = hideTestRunnerGlobals();
  try {
    forgetProgram();
    const program = (await import(PROGRAM_ENTRY)) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
      outputs[key] = pulumi.Output.isInstance(value) ? await settled(value) : value;
    }
    await waitForRegistrations();
    return { ...run, outputs };
  } catch (error) {
    await waitForRegistrations().catch(() => undefined);
    throw Object.assign(error as Error, run);
  } finally {
    restoreGlobals();
    restoreWarn();
  }
}

/** An Output's value; rejects when the Output does (where `apply` would never call back). */
function settled(output: pulumi.Output<unknown>): Promise<unknown> {
  return (output as unknown as { promise(): Promise<unknown> }).promise();
}

/** Waits for Pulumi's queue of pending registrations (also those no export depends on). */
async function waitForRegistrations(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal, not in the typings
  const settings = require("@pulumi/pulumi/runtime/settings") as {
    waitForRPCs(): Promise<void>;
  };
  await settings.waitForRPCs();
}

/**
 * Makes the next import run index.ts again. Only the entry is dropped from the module cache: the
 * modules it imports (components/, reconciler/) hold no state of their own (a project rule, for
 * closure serialization), and transpiling them anew would cost ~100 ms a run, ten times a run
 * that stops at a config error.
 */
function forgetProgram(): void {
  delete require.cache[PROGRAM_ENTRY];
}

/**
 * Globals that test runners (mocha's BDD and TDD interfaces) define. Pulumi's closure serializer
 * takes any global for a built-in and does not capture a module-level function of the same name:
 * under mocha, reconciler/act.ts's `run` was left out of __index.js, which then failed with
 * "run is not defined". The CLI has no such globals, so the harness hides them during a run.
 */
export const TEST_RUNNER_GLOBALS = [
  "run",
  "describe",
  "xdescribe",
  "context",
  "xcontext",
  "it",
  "xit",
  "specify",
  "xspecify",
  "before",
  "after",
  "beforeEach",
  "afterEach",
  "suite",
  "test",
  "setup",
  "teardown",
  "suiteSetup",
  "suiteTeardown",
];

/** Removes the test runner's globals (see above); returns the function that puts them back. */
export function hideTestRunnerGlobals(): () => void {
  const hidden = new Map<string, PropertyDescriptor>();
  for (const name of TEST_RUNNER_GLOBALS) {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
    if (descriptor?.configurable) {
      hidden.set(name, descriptor);
      delete (globalThis as Record<string, unknown>)[name];
    }
  }
  return () =>
    hidden.forEach((descriptor, name) => Object.defineProperty(globalThis, name, descriptor));
}

/** Without an engine, pulumi.log.warn writes "warning: [runtime] ..." to console.warn. */
function captureWarnings(into: string[]): () => void {
  const original = console.warn;
  console.warn = (...parts: unknown[]) => {
    into.push(
      parts
        .map(String)
        .join(" ")
        .replace(/^warning: \[runtime\] /, ""),
    );
  };
  return () => {
    console.warn = original;
  };
}

// ---------------------------------------------------------------------------------------------
// The mocks' answers: what AWS would return, deterministic so that runs compare equal.

export const MOCK_ACCOUNT_ID = "111122223333";
export const MOCK_VPC_CIDR = "10.20.0.0/16";

/** A stable hex digest of `text`, for fake ids that do not change between runs. */
function digest(text: string, length: number): string {
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** What getSubnet answers for a subnet id: a /24 of the mock VPC in one of three zones. */
export function mockSubnet(id: string, region: string) {
  const octet = parseInt(digest(id, 2), 16);
  const zone = "abc"[parseInt(digest(`${id}#zone`, 2), 16) % 3];
  return { id, cidrBlock: `10.20.${octet}.0/24`, availabilityZone: `${region}${zone}` };
}

type Inputs = Record<string, unknown>;
type State = Record<string, unknown>;

/** Per resource type: its id and the attributes AWS computes (ARN, DNS name, ...). */
const RESOURCE_ANSWERS: Record<
  string,
  (o: { name: string; inputs: Inputs; region: string; hex: (n: number) => string }) => {
    id: string;
    state: State;
  }
> = {
  "aws:iam/role:Role": ({ name }) => ({
    id: name,
    state: { name, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}` },
  }),
  "aws:iam/instanceProfile:InstanceProfile": ({ name }) => ({
    id: name,
    state: { name, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:instance-profile/${name}` },
  }),
  "aws:ec2/securityGroup:SecurityGroup": ({ name, region, hex }) => {
    const id = `sg-${hex(17)}`;
    return {
      id,
      state: { name, arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:security-group/${id}` },
    };
  },
  "aws:ec2/launchTemplate:LaunchTemplate": ({ name, region, hex }) => {
    const id = `lt-${hex(17)}`;
    const arn = `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:launch-template/${id}`;
    return { id, state: { name, arn, latestVersion: 1, defaultVersion: 1 } };
  },
  "aws:autoscaling/group:Group": ({ name, region, hex }) => {
    const uuid = [hex(8), hex(4), hex(4), hex(4), hex(12)].join("-");
    const arn = `arn:aws:autoscaling:${region}:${MOCK_ACCOUNT_ID}:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`;
    return { id: name, state: { name, arn } };
  },
  // The provider's id for a hook is its name (import: "<group>/<hook>").
  "aws:autoscaling/lifecycleHook:LifecycleHook": ({ name }) => ({ id: name, state: { name } }),
  "aws:lb/loadBalancer:LoadBalancer": ({ name, region, hex }) => {
    const arnSuffix = `net/${name}/${hex(16)}`;
    const arn = `arn:aws:elasticloadbalancing:${region}:${MOCK_ACCOUNT_ID}:loadbalancer/${arnSuffix}`;
    const dnsName = `${name}-${hex(16)}.elb.${region}.amazonaws.com`;
    return { id: arn, state: { name, arn, arnSuffix, dnsName } };
  },
  "aws:lb/targetGroup:TargetGroup": ({ name, region, hex }) => {
    const arnSuffix = `targetgroup/${name}/${hex(16)}`;
    const arn = `arn:aws:elasticloadbalancing:${region}:${MOCK_ACCOUNT_ID}:${arnSuffix}`;
    return { id: arn, state: { name, arn, arnSuffix } };
  },
  "aws:lb/listener:Listener": ({ inputs, hex }) => {
    const arn = `${String(inputs.loadBalancerArn).replace(":loadbalancer/", ":listener/")}/${hex(16)}`;
    return { id: arn, state: { arn } };
  },
  "aws:ssm/document:Document": ({ name, region }) => ({
    id: name,
    state: {
      name,
      arn: `arn:aws:ssm:${region}:${MOCK_ACCOUNT_ID}:document/${name}`,
      defaultVersion: "1",
      latestVersion: "1",
    },
  }),
  "aws:sqs/queue:Queue": ({ name, region }) => {
    const url = `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${name}`;
    return {
      id: url,
      state: { name, url, arn: `arn:aws:sqs:${region}:${MOCK_ACCOUNT_ID}:${name}` },
    };
  },
  "aws:cloudwatch/logGroup:LogGroup": ({ name, region }) => ({
    id: name,
    state: { name, arn: `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:${name}` },
  }),
  "aws:lambda/function:Function": ({ name, region }) => {
    const arn = `arn:aws:lambda:${region}:${MOCK_ACCOUNT_ID}:function:${name}`;
    const invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`;
    return { id: name, state: { name, arn, invokeArn, version: "$LATEST" } };
  },
  "aws:cloudwatch/eventRule:EventRule": ({ name, region }) => ({
    id: name,
    state: { name, arn: `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:rule/${name}` },
  }),
};

/**
 * A resource's id and state: its inputs plus what AWS computes. Names that Pulumi would
 * auto-name get the resource name plus a stable 7-character suffix, as the provider would.
 */
export function mockResource(
  type: string,
  resourceName: string,
  inputs: Inputs,
  region: string,
  custom: boolean | undefined,
): { id: string; state: State } {
  if (!custom) return { id: "", state: {} };
  const seed = `${type}::${resourceName}`;
  let counter = 0;
  const hex = (n: number) => digest(`${seed}#${counter++}`, n);
  const name = typeof inputs.name === "string" ? inputs.name : `${resourceName}-${digest(seed, 7)}`;
  const answer = RESOURCE_ANSWERS[type]?.({ name, inputs, region, hex }) ?? {
    id: `${resourceName}-${digest(seed, 8)}`,
    state: {},
  };
  return { id: answer.id, state: { ...inputs, ...answer.state } };
}

/** Answers of the provider functions the program calls; anything else is a test failure. */
export function mockInvoke(token: string, inputs: Inputs, region: string): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        id: MOCK_ACCOUNT_ID,
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/deployer/session`,
        userId: "AROAEXAMPLEDEPLOYER:session",
      };
    case "aws:index/getRegion:getRegion":
      return { id: region, region, name: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:index/getPartition:getPartition":
      return {
        id: "aws",
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
      };
    case "aws:ec2/getVpc:getVpc":
      return { id: inputs.id, cidrBlock: MOCK_VPC_CIDR };
    case "aws:ec2/getSubnet:getSubnet":
      return mockSubnet(String(inputs.id), region);
    case "aws:ec2/getAmi:getAmi":
      return mockAmi(inputs);
    default:
      throw new Error(`pulumi-mocks: no answer for provider function ${token}`);
  }
}

/** A Windows AMI matching the filters: by image-id, or the newest image whose name matches. */
function mockAmi(inputs: Inputs): Record<string, unknown> {
  const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
  const filter = (name: string) => filters.find((f) => f.name === name)?.values[0];
  const imageId = filter("image-id") ?? `ami-${digest(String(filter("name")), 17)}`;
  const name = (filter("name") ?? "golden-windows-2022").replace(/\*/g, "2024.06.01");
  return {
    id: imageId,
    imageId,
    name,
    ownerId: MOCK_ACCOUNT_ID,
    platform: "windows",
    rootDeviceName: "/dev/sda1",
    rootDeviceType: "ebs",
    architecture: "x86_64",
  };
}
