// Runs the program under mocks in THIS (fresh) process and prints what the serialized-Lambda test
// needs as JSON. Why a separate process: Pulumi's closure serializer leaves out names that exist
// as globals, and mocha defines globals (run, describe, it, ...): serialized inside mocha, a
// reconciler function named like one of them would be missing from __index.js. `pulumi up` has no
// such globals, and neither has this process.
import { functionPackage, zippedBytes } from "../../sandbox/archive";
import { loadStackConfig, runProgram } from "../../sandbox/pulumi-mocks";

export interface FreshProgram {
  resources: Array<{
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    state: Record<string, unknown>;
  }>;
  entries: string[];
  indexJs: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  zippedBytes: number;
}

async function main(stackFile: string): Promise<void> {
  const run = await runProgram(loadStackConfig(stackFile));
  const pkg = await functionPackage(run.resources);
  const withoutCode = (values: Record<string, unknown>) => ({ ...values, code: undefined });
  const result: FreshProgram = {
    resources: run.resources.map((r) => ({
      type: r.type,
      name: r.name,
      inputs: withoutCode(r.inputs),
      state: withoutCode(r.state),
    })),
    entries: pkg.entries,
    indexJs: pkg.indexJs,
    env: pkg.env,
    timeoutSeconds: pkg.timeoutSeconds,
    zippedBytes: await zippedBytes(pkg.assets),
  };
  // Exit once flushed: the pipe to the test takes 64 KiB at once, the JSON is larger.
  process.stdout.write(JSON.stringify(result), () => process.exit(0));
}

if (require.main === module) {
  main(process.argv[2]).catch((error) => {
    process.stderr.write(String(error?.stack ?? error));
    process.exit(1);
  });
}
