// Reads the stack config (namespace `warm-standby`) into the component's arguments, or stops the
// program with every problem at once before a single resource is registered.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { WarmStandbyGroupArgs } from "./args";
import { CONFIG_DEFAULTS, CONFIG_NAMESPACE, REQUIRED_KEYS } from "./configSchema";
import { checkConfig, type RawConfig } from "./configValidation";

export const CONFIG_KEYS: string[] = [...REQUIRED_KEYS, ...Object.keys(CONFIG_DEFAULTS)];

/** The error the program stops with; one line per problem. */
export function configurationError(errors: string[]): Error {
  return new Error(`Invalid stack configuration:\n- ${errors.join("\n- ")}`);
}

/**
 * Validated component arguments from the current stack's config. `projectDir` anchors
 * activationScript (index.ts passes its own directory, the one holding Pulumi.yaml).
 */
export function readStackConfig(projectDir: string): WarmStandbyGroupArgs {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  // Raw text, as the CLI passes it: the parsers report bad values in their own words, where
  // Config.getNumber/getObject would stop at the first one with a generic message.
  const raw: RawConfig = Object.fromEntries(CONFIG_KEYS.map((key) => [key, config.get(key)]));
  const result = checkConfig(raw, (file) => readTextFile(path.resolve(projectDir, file)));
  for (const warning of [...result.warnings, ...unknownKeyWarnings()]) pulumi.log.warn(warning);
  if (!result.args) throw configurationError(result.errors);
  return result.args;
}

/** A key of our namespace that nothing reads is most likely a typo of one that is. */
function unknownKeyWarnings(): string[] {
  const prefix = `${CONFIG_NAMESPACE}:`;
  return Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith(prefix) && !CONFIG_KEYS.includes(key.slice(prefix.length)))
    .map((key) => `${key} is not a setting of this program and is ignored (a typo?)`);
}

function readTextFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
