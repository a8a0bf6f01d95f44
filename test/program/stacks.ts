// The stacks the program tests run, and lookups into what a run registered. Runs are memoized:
// every test file reads the same run of each stack (a run takes about a second).
import { strict as assert } from "node:assert";
import * as path from "node:path";
import {
  loadStackConfig,
  runProgram,
  type ProgramRun,
  type RecordedResource,
} from "../../sandbox/pulumi-mocks";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Pulumi.dev.yaml, as the CLI would hand it to the program. */
export const DEV_CONFIG = loadStackConfig(path.join(PROJECT_DIR, "Pulumi.dev.yaml"));

/**
 * The second configuration: three ports, two active instances, the AMI found by name,
 * an internet-facing NLB in public subnets, and values other than the defaults everywhere else.
 */
export const SECOND_CONFIG: Record<string, unknown> = {
  "aws:region": "us-west-2",
  "warm-standby:vpcId": "vpc-0feedc0ffee000001",
  "warm-standby:subnetIds": ["subnet-0aaa00000000000a1", "subnet-0aaa00000000000a2"],
  "warm-standby:loadBalancerSubnetIds": ["subnet-0bbb00000000000b1", "subnet-0bbb00000000000b2"],
  "warm-standby:amiName": "legacy-app-golden-*",
  "warm-standby:amiOwners": ["123456789012"],
  "warm-standby:instanceType": "m6i.xlarge",
  "warm-standby:activeCapacity": 2,
  "warm-standby:standbyCapacity": 2,
  "warm-standby:ports": [4000, 4001, 8443],
  "warm-standby:healthCheckPort": 9000,
  "warm-standby:healthCheckIntervalSeconds": 10,
  "warm-standby:healthyThreshold": 3,
  "warm-standby:unhealthyThreshold": 4,
  "warm-standby:deregistrationDelaySeconds": 0,
  "warm-standby:internal": false,
  "warm-standby:allowedCidrs": ["203.0.113.0/24", "198.51.100.0/24"],
  "warm-standby:activationServices": ["AcmeBroker", "AcmeScheduler"],
  "warm-standby:activationTimeoutSeconds": 300,
  "warm-standby:reconcileSchedule": "cron(0/10 * * * ? *)",
  "warm-standby:logRetentionDays": 90,
};

const memo = new Map<string, Promise<ProgramRun>>();

function memoized(key: string, config: Record<string, unknown>): Promise<ProgramRun> {
  if (!memo.has(key)) memo.set(key, runProgram(config));
  return memo.get(key)!;
}

export const devRun = () => memoized("dev", DEV_CONFIG);
export const secondRun = () => memoized("second", SECOND_CONFIG);

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** The one resource of this type (and name, when given); fails when there is not exactly one. */
export function single(run: ProgramRun, type: string, name?: string): RecordedResource {
  const found = ofType(run, type).filter(
    (resource) => name === undefined || resource.name === name,
  );
  assert.equal(found.length, 1, `expected one ${type} ${name ?? ""}, found ${found.length}`);
  return found[0];
}
