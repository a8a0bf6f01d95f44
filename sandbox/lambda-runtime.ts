// Runs a serialized Lambda (`__index.js`) the way the `nodejs22.x` runtime would, as closely as a
// machine without AWS allows: a fresh `node` process, a task folder that holds ONLY the handler
// file and the AWS SDK v3 (what the runtime ships), a clean environment, a Lambda-like context.
// Anything the serialized code needs that the runtime lacks fails here exactly as it would on AWS
// ("Runtime.ImportModuleError: Cannot find module ...").
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const PROJECT_DIR = path.resolve(__dirname, "..");

/**
 * The top-level packages of the project's node_modules that the runtime folder gets: every
 * installed `@aws-sdk/*` package and, transitively, their runtime dependencies (dependencies,
 * optionalDependencies and installed peerDependencies), read from their package.json files.
 * Returns package name -> directory. A required dependency that is not installed throws.
 */
export function sdkRuntimePackages(projectDir = PROJECT_DIR): Map<string, string> {
  const nodeModules = path.join(projectDir, "node_modules");
  const topLevel = new Map<string, string>();
  const visited = new Set<string>();
  const queue: string[] = fs
    .readdirSync(path.join(nodeModules, "@aws-sdk"))
    .map((name) => path.join(nodeModules, "@aws-sdk", name))
    .filter((dir) => fs.existsSync(path.join(dir, "package.json")));

  while (queue.length > 0) {
    const dir = queue.shift() as string;
    if (visited.has(dir)) continue;
    visited.add(dir);
    const owner = topLevelPackageOf(nodeModules, dir);
    topLevel.set(owner, path.join(nodeModules, owner));

    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const required = Object.keys(manifest.dependencies ?? {});
    const optional = [
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ];
    for (const name of [...required, ...optional]) {
      const found = resolvePackageDir(name, dir, nodeModules);
      if (found) queue.push(found);
      else if (required.includes(name)) {
        throw new Error(`${manifest.name} depends on ${name}, which is not installed`);
      }
    }
  }
  return new Map([...topLevel.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** Node's lookup: <dir>/node_modules/<name>, then each parent's, never above the project. */
function resolvePackageDir(name: string, fromDir: string, nodeModules: string): string | undefined {
  const root = path.dirname(nodeModules);
  for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root) break;
  }
  return undefined;
}

/** "node_modules/@scope/a/node_modules/b" belongs to "@scope/a": linking "a" carries "b" along. */
function topLevelPackageOf(nodeModules: string, dir: string): string {
  const segments = path.relative(nodeModules, dir).split(path.sep);
  return segments[0].startsWith("@") ? `${segments[0]}/${segments[1]}` : segments[0];
}

/** A prepared runtime folder; `dispose` removes it (links only, never what they point to). */
export interface LambdaFolder {
  root: string;
  /** The task folder (LAMBDA_TASK_ROOT): `__index.js` and node_modules, nothing else. */
  taskDir: string;
  /** Package names linked into taskDir/node_modules. */
  packages: string[];
  dispose(): void;
}

/**
 * Writes `__index.js` into an empty temporary task folder whose node_modules links the SDK
 * packages. The links are symlinks; `invokeHandler` runs node with --preserve-symlinks so that the
 * SDK's own requires resolve inside the task folder too (a missing transitive dependency fails
 * instead of being found silently in the project's node_modules).
 */
export function prepareLambdaFolder(indexJs: string, projectDir = PROJECT_DIR): LambdaFolder {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "warm-standby-lambda-"));
  const taskDir = path.join(root, "task");
  fs.mkdirSync(path.join(taskDir, "node_modules"), { recursive: true });
  fs.mkdirSync(path.join(root, "home"));
  fs.mkdirSync(path.join(root, "runtime"));
  fs.writeFileSync(path.join(taskDir, "__index.js"), indexJs);
  fs.writeFileSync(path.join(root, "runtime", "bootstrap.js"), BOOTSTRAP);

  const packages = sdkRuntimePackages(projectDir);
  for (const [name, dir] of packages) {
    const link = path.join(taskDir, "node_modules", name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(dir, link, "dir");
  }
  return {
    root,
    taskDir,
    packages: [...packages.keys()],
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

export interface InvokeOptions {
  event: unknown;
  /** The function's environment variables (as deployed) plus whatever the caller adds. */
  env: Record<string, string>;
  functionName?: string;
  /** The function's timeout (what getRemainingTimeInMillis counts down from). */
  timeoutMs?: number;
  /** Kill the process after this long (default: the timeout, as Lambda does). */
  killAfterMs?: number;
  requestId?: string;
}

export interface InvokeResult {
  ok: boolean;
  result?: unknown;
  /** Lambda's error shape: errorType is e.g. "Runtime.ImportModuleError" or the error's name. */
  error?: { errorType: string; errorMessage: string };
  stdout: string[];
  stderr: string[];
  exitCode: number | null;
  timedOut: boolean;
  /** Time to load `__index.js` (the init phase, locally) and to run the handler. */
  initMs?: number;
  durationMs?: number;
}

/** Invokes the folder's exported `handler` once, in a fresh `node` process. */
export function invokeHandler(folder: LambdaFolder, options: InvokeOptions): Promise<InvokeResult> {
  const functionName = options.functionName ?? "reconciler";
  const timeoutMs = options.timeoutMs ?? 60_000;
  const invocation = {
    event: options.event,
    requestId: options.requestId ?? `req-${process.hrtime.bigint().toString(36)}`,
    functionName,
    timeoutMs,
  };
  const runtimeDir = path.join(folder.root, "runtime");
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const invocationFile = path.join(runtimeDir, `invocation-${stamp}.json`);
  const resultFile = path.join(runtimeDir, `result-${stamp}.json`);
  fs.writeFileSync(invocationFile, JSON.stringify(invocation));

  // A clean environment: nothing of this process leaks in (no NODE_OPTIONS, no ts-node, no
  // NODE_PATH, no ~/.aws through HOME). The variables are those Lambda sets, then the function's.
  const env: Record<string, string> = {
    LAMBDA_TASK_ROOT: folder.taskDir,
    _HANDLER: "__index.handler",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
    TZ: ":UTC",
    HOME: path.join(folder.root, "home"),
    ...options.env,
  };
  const child = spawn(
    process.execPath,
    ["--preserve-symlinks", path.join(runtimeDir, "bootstrap.js"), invocationFile, resultFile],
    { cwd: folder.taskDir, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));

  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill("SIGKILL");
      },
      options.killAfterMs ?? timeoutMs + 1_000,
    );
    child.on("error", reject);
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      const report = fs.existsSync(resultFile)
        ? JSON.parse(fs.readFileSync(resultFile, "utf8"))
        : undefined;
      resolve({
        ok: report?.ok === true && exitCode === 0,
        result: report?.result,
        error:
          report?.error ??
          (timedOut
            ? { errorType: "Sandbox.Timeout", errorMessage: "Task timed out (process killed)" }
            : undefined),
        stdout: lines(stdout),
        stderr: lines(stderr),
        exitCode,
        timedOut,
        initMs: report?.initMs,
        durationMs: report?.durationMs,
      });
    });
  });
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 0);
}

/**
 * The runtime side (plain JS, written next to the task folder as Lambda's own bootstrap lives
 * outside /var/task): load `<LAMBDA_TASK_ROOT>/__index.js`, call the export named by _HANDLER with
 * the event and a Lambda-like context, write the outcome to the result file, exit.
 */
const BOOTSTRAP = `"use strict";
const fs = require("fs");
const path = require("path");
const [invocationFile, resultFile] = process.argv.slice(2);
const invocation = JSON.parse(fs.readFileSync(invocationFile, "utf8"));
// Exit once stdout is flushed: a pipe takes 64 KiB at once, and the handler's log lines go there.
const report = (outcome, code) => {
  fs.writeFileSync(resultFile, JSON.stringify(outcome));
  process.stdout.write("", () => process.exit(code));
};
const asError = (err, fallbackType) => ({
  errorType: fallbackType || (err && err.name) || "Error",
  errorMessage: String(err && err.message !== undefined ? err.message : err),
});
const [moduleName, exportName] = process.env._HANDLER.split(".");
const initStart = Date.now();
let handler;
let importError;
try {
  handler = require(path.join(process.env.LAMBDA_TASK_ROOT, moduleName + ".js"))[exportName];
} catch (err) {
  importError = err;
}
if (importError) {
  report({ ok: false, error: asError(importError, "Runtime.ImportModuleError") }, 1);
} else if (typeof handler !== "function") {
  const errorMessage = process.env._HANDLER + " is undefined or not exported";
  report({ ok: false, error: { errorType: "Runtime.HandlerNotFound", errorMessage } }, 1);
} else {
  const initMs = Date.now() - initStart;
  const deadline = Date.now() + invocation.timeoutMs;
  const context = {
    awsRequestId: invocation.requestId,
    functionName: invocation.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:" + (process.env.AWS_REGION || "eu-central-1") +
      ":123456789012:function:" + invocation.functionName,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: "/aws/lambda/" + invocation.functionName,
    logStreamName: "sandbox",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const started = Date.now();
  Promise.resolve()
    .then(() => handler(invocation.event, context))
    .then(
      (result) => report({ ok: true, result, initMs, durationMs: Date.now() - started }, 0),
      (err) => report({ ok: false, error: asError(err), initMs, durationMs: Date.now() - started }, 1),
    );
}
`;
