// Helpers for the sandbox tests.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { hideTestRunnerGlobals } from "../../sandbox/pulumi-mocks";
import type { FreshProgram } from "./fresh-program";

const PROJECT = path.resolve(__dirname, "../..");

/**
 * Runs `fn` with mocha's globals removed, as in a plain process (and in `pulumi up`): Pulumi's
 * closure serializer treats any global name as provided by the runtime, so a reconciler function
 * called `run` would silently be left out of __index.js while mocha's `run` global exists.
 */
export async function withoutMochaGlobals<T>(fn: () => Promise<T>): Promise<T> {
  const restore = hideTestRunnerGlobals();
  try {
    return await fn();
  } finally {
    restore();
  }
}

/** The program under mocks in a fresh node process (see fresh-program.ts). */
export function programInFreshProcess(stackFile: string): Promise<FreshProgram> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(__dirname, "fresh-program.ts"),
        stackFile,
      ],
      { cwd: PROJECT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: "" } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}
