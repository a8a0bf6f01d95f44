// The reconciler's deployment package as the program builds it under Pulumi mocks: read it from
// the mocked Function resource, and measure it zipped (jszip, DEFLATE), next to the package that
// the same CallbackFunction would get with default code paths (every dependency's node_modules).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import JSZip from "jszip";
import { handler } from "../reconciler/handler";
import type { LambdaContext } from "../reconciler/handler";

const PROJECT_DIR = path.resolve(__dirname, "..");
export const FUNCTION_TYPE = "aws:lambda/function:Function";

interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** What the sandbox needs of the deployed function. */
export interface FunctionPackage {
  resourceName: string;
  /** Entry names of the code archive ("__index.js", "node_modules/...", ...). */
  entries: string[];
  indexJs: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  /** The archive's assets, as Pulumi would upload them. */
  assets: Record<string, unknown>;
}

/** The CallbackFunction among the planned resources (its handler is "__index.handler"). */
export async function functionPackage(resources: PlannedResource[]): Promise<FunctionPackage> {
  const functions = resources.filter((r) => r.type === FUNCTION_TYPE);
  const reconciler = functions.find((r) => r.inputs.handler === "__index.handler");
  if (!reconciler) {
    throw new Error(`no ${FUNCTION_TYPE} with handler "__index.handler" among the resources`);
  }
  const assets = await archiveAssets(reconciler.inputs.code);
  const index = assets["__index.js"] as { text?: unknown } | undefined;
  if (!index || index.text === undefined) throw new Error("the code archive has no __index.js");
  const environment = (reconciler.inputs.environment ?? {}) as {
    variables?: Record<string, string>;
  };
  return {
    resourceName: reconciler.name,
    entries: Object.keys(assets).sort(),
    indexJs: String(await index.text),
    env: { ...(environment.variables ?? {}) },
    timeoutSeconds: Number(reconciler.inputs.timeout),
    assets,
  };
}

/** An AssetArchive under mocks: `assets` is a map or a promise of one. */
async function archiveAssets(code: unknown): Promise<Record<string, unknown>> {
  const assets = await (code as { assets?: unknown } | undefined)?.assets;
  if (!assets || typeof assets !== "object") {
    throw new Error("the function's code is not an AssetArchive");
  }
  return assets as Record<string, unknown>;
}

/**
 * Zips the archive's assets as the Pulumi CLI would upload them: StringAssets by text, FileAssets
 * and FileArchives (node_modules folders) by their files on disk. Returns the zip's size.
 */
export async function zippedBytes(assets: Record<string, unknown>): Promise<number> {
  const zip = new JSZip();
  for (const [name, asset] of Object.entries(assets)) {
    const item = asset as { text?: unknown; path?: unknown };
    if (item.text !== undefined) {
      zip.file(name, String(await item.text));
      continue;
    }
    const source = path.resolve(PROJECT_DIR, String(await item.path));
    if (fs.statSync(source).isDirectory()) {
      for (const file of filesUnder(source)) {
        zip.file(path.posix.join(name, path.relative(source, file)), fs.readFileSync(file));
      }
    } else {
      zip.file(name, fs.readFileSync(source));
    }
  }
  const buffer = await zip.generateAsync({
    type: "nodebuffer",
    compression: "DEFLATE",
    compressionOptions: { level: 6 },
  });
  return buffer.length;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/**
 * The assets of the same CallbackFunction (same callback, same runtime) WITHOUT codePathOptions:
 * what the program would upload had it not excluded the SDK. Built under minimal Pulumi mocks;
 * Pulumi computes code paths from the current directory's package.json, hence the check.
 */
export async function defaultCodePathsAssets(): Promise<Record<string, unknown>> {
  if (path.resolve(process.cwd()) !== PROJECT_DIR) {
    throw new Error(`run from the project directory (${PROJECT_DIR}): Pulumi reads package.json`);
  }
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    "warm-standby",
    "default-code-paths",
    false,
  );
  const fn = new aws.lambda.CallbackFunction("default-code-paths", {
    callback: async (event: unknown, context: LambdaContext) => handler(event, context),
    role: "arn:aws:iam::123456789012:role/default-code-paths",
    runtime: "nodejs22.x",
  });
  const code = await new Promise<unknown>((resolve) => fn.code.apply(resolve));
  return archiveAssets(code);
}
