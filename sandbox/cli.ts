// Flag parsing shared by `npm start` and `npm run bench`: a small, strict parser (unknown flags,
// missing values and bad numbers are errors, exit code 2) and the stack-file loader with messages
// that say what to fix.
import * as fs from "node:fs";
import * as path from "node:path";
import { TIMING_KEYS, TimingKey, flagOf } from "./timing-model";

/** A usage error: printed without a stack trace, exit code 2. */
export class CliError extends Error {
  override name = "CliError";
}

export interface FlagSpec {
  name: string;
  kind: "string" | "number" | "boolean" | "list";
  help: string;
  choices?: readonly string[];
}

export type ParsedFlags = Record<string, string | number | boolean | string[] | undefined>;

/** Every timing-model value can be overridden: `--nlb-registration-seconds 30`. */
export const TIMING_FLAGS: FlagSpec[] = TIMING_KEYS.map((key) => ({
  name: flagOf(key).slice(2),
  kind: "number",
  help: `override the timing model's ${key} (seconds)`,
}));

/** Accepts `--name value` and `--name=value`; booleans take no value. */
export function parseFlags(argv: string[], specs: FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const parsed: ParsedFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new CliError(`unexpected argument '${arg}'`);
    const [name, inline] = splitOnce(arg.slice(2), "=");
    const spec = byName.get(name);
    if (!spec) throw new CliError(`unknown flag --${name}`);
    if (spec.kind === "boolean") {
      if (inline !== undefined) throw new CliError(`--${name} takes no value`);
      parsed[name] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith("--"))) {
      throw new CliError(`--${name} needs a value`);
    }
    parsed[name] = convert(spec, raw);
  }
  return parsed;
}

function convert(spec: FlagSpec, raw: string): string | number | string[] {
  if (spec.kind === "number") {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < 0) {
      throw new CliError(`--${spec.name} must be a number >= 0, got '${raw}'`);
    }
    return value;
  }
  if (spec.kind === "list") return raw.split(",").map((item) => item.trim());
  if (spec.choices && !spec.choices.includes(raw)) {
    throw new CliError(`--${spec.name} must be one of ${spec.choices.join(", ")}, got '${raw}'`);
  }
  return raw;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** The timing overrides among the parsed flags, keyed like the timing model. */
export function timingOverrides(flags: ParsedFlags): Partial<Record<TimingKey, number>> {
  const overrides: Partial<Record<TimingKey, number>> = {};
  for (const key of TIMING_KEYS) {
    const value = flags[flagOf(key).slice(2)];
    if (typeof value === "number") overrides[key] = value;
  }
  // A schedule without a period would fire forever at the same instant.
  if (overrides.scheduleSeconds === 0) throw new CliError("--schedule-seconds must be above 0");
  return overrides;
}

export function helpText(usage: string, summary: string, specs: FlagSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length + (s.kind === "boolean" ? 0 : 6)));
  const rows = specs.map((spec) => {
    const left = spec.kind === "boolean" ? `--${spec.name}` : `--${spec.name} VALUE`;
    const choices = spec.choices ? ` (${spec.choices.join(" | ")})` : "";
    return `  ${left.padEnd(width + 4)}${spec.help}${choices}`;
  });
  return [`usage: ${usage}`, "", summary, "", "flags:", ...rows, ""].join("\n");
}

/**
 * Path of the stack file for a stack name ("dev" -> <project>/Pulumi.dev.yaml). Checks that the
 * file exists so that a typo gets a message listing the stacks that do.
 */
export function stackFile(stack: string, projectDir = path.resolve(__dirname, "..")): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new CliError(`--stack '${stack}' is not a stack name (letters, digits, _ . -)`);
  }
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs
      .readdirSync(projectDir)
      .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
      .filter((name): name is string => !!name);
    throw new CliError(
      `stack file ${path.basename(file)} not found; known stacks: ${known.join(", ") || "none"}`,
    );
  }
  return file;
}

/**
 * Runs a CLI main: usage errors print one line and exit 2, anything else prints its stack and
 * exits 1. `main` returns the exit code. Exits explicitly (Pulumi's mock runtime and the SDK's
 * keep-alive sockets would otherwise hold the process open), but only once stdout and stderr are
 * flushed: a pipe takes 64 KiB at once and `--json` prints more.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(exitAfterFlush, (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\nrun with --help for usage\n`);
      exitAfterFlush(2);
    } else {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : err}\n`);
      exitAfterFlush(1);
    }
  });
}

export function exitAfterFlush(code: number): void {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
