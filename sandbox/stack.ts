// What `npm start` and `npm run bench` both begin with: the stack file, the program run under
// Pulumi mocks, the reconciler's deployment package and the timing model built from them. Problems
// with the stack file (missing, not YAML, a config the program rejects) become CliErrors (exit 2)
// that name the file.
import * as path from "node:path";
import { CAPACITY_TAG_KEY } from "../reconciler/types";
import { functionPackage, zippedBytes, type FunctionPackage } from "./archive";
import { CliError, stackFile } from "./cli";
import { loadStackConfig, runProgram, type RecordedResource } from "./pulumi-mocks";
import {
  buildTimingModel,
  stackTimingsFrom,
  type StackTimings,
  type TimingKey,
  type TimingModel,
} from "./timing-model";

export interface LoadedStack {
  stack: string;
  file: string;
  resources: RecordedResource[];
  warnings: string[];
  pkg: FunctionPackage;
  /** The deployment package zipped, as Pulumi would upload it. */
  zippedBytes: number;
  stackTimings: StackTimings;
  model: TimingModel;
  /** The capacity the load balancer's tag declares at deployment. */
  declared: number;
}

/** `projectDir` (default: this project) is where Pulumi.<stack>.yaml is looked for. */
export async function loadStack(
  stack: string,
  overrides: Partial<Record<TimingKey, number>>,
  progress: (line: string) => void,
  projectDir?: string,
): Promise<LoadedStack> {
  const file = stackFile(stack, projectDir);
  progress(`reading ${path.basename(file)}`);
  let config: Record<string, unknown>;
  try {
    config = loadStackConfig(file);
  } catch (error) {
    throw new CliError(`${path.basename(file)} is not a valid stack file: ${messageOf(error)}`);
  }
  progress("running the Pulumi program under mocks");
  let run: Awaited<ReturnType<typeof runProgram>>;
  try {
    run = await runProgram(config, { stack });
  } catch (error) {
    throw new CliError(`the program rejects ${path.basename(file)}: ${messageOf(error)}`);
  }
  progress("reading and zipping the reconciler's deployment package");
  const pkg = await functionPackage(run.resources);
  const bytes = await zippedBytes(pkg.assets);
  const stackTimings = stackTimingsFrom(run.resources);
  const balancer = run.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer");
  return {
    stack,
    file,
    resources: run.resources,
    warnings: run.warnings,
    pkg,
    zippedBytes: bytes,
    stackTimings,
    model: buildTimingModel(stackTimings, bytes, overrides),
    declared: Number(balancer?.inputs.tags?.[CAPACITY_TAG_KEY]),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
