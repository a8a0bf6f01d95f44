// `npm start`: the offline sandbox. Loads the program under Pulumi mocks with a stack file and
// prints the plan, then runs the SERIALIZED reconciler (the archive's __index.js, in a Lambda-like
// folder) against the simulated AWS through a scripted story, and prints a timeline with modeled
// timestamps and the recovery time of each incident. See docs/sandbox.md.
import { TIMING_FLAGS, helpText, parseFlags, runMain, timingOverrides, type FlagSpec } from "./cli";
import { formatPlan, planRows } from "./plan-table";
import { loadStack, type LoadedStack } from "./stack";
import { SCENARIOS, incidentsFor, type ScenarioName } from "./story";
import { runIncidents, type StoryRun } from "./story-driver";
import { formatIncidents, formatTimeline } from "./story-timeline";
import { openStoryWorld } from "./story-world";
import { formatTable } from "./text-table";
import type { TimingModel } from "./timing-model";

export const START_FLAGS: FlagSpec[] = [
  { name: "stack", kind: "string", help: "stack whose Pulumi.<stack>.yaml to load (default dev)" },
  {
    name: "scenario",
    kind: "string",
    help: "which incidents to run after the first start (default all)",
    choices: ["all", ...SCENARIOS],
  },
  { name: "json", kind: "boolean", help: "print one JSON document instead of tables" },
  { name: "help", kind: "boolean", help: "show this help" },
  ...TIMING_FLAGS,
];

const SUMMARY =
  "Runs the warm-standby program under Pulumi mocks, prints its plan, then tells a failover\n" +
  "story with the serialized reconciler Lambda against a simulated AWS. Timestamps are modeled\n" +
  "(docs/sandbox.md); every timing-model value can be overridden in seconds.";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface RunOptions {
  /** Where the stack files are (default: this project); tests point it at a temporary folder. */
  projectDir?: string;
}

/** Returns the exit code: 0 when every check of the story held, 1 otherwise, 2 for usage errors. */
export async function main(argv: string[], io: Io, options: RunOptions = {}): Promise<number> {
  const flags = parseFlags(argv, START_FLAGS);
  if (flags.help) {
    io.out(helpText("npm start -- [flags]", SUMMARY, START_FLAGS));
    return 0;
  }
  const scenario = (flags.scenario as ScenarioName | "all" | undefined) ?? "all";
  let step = 0;
  const progress = (line: string) => io.err(`[sandbox ${++step}] ${line}\n`);

  const stack = await loadStack(
    String(flags.stack ?? "dev"),
    timingOverrides(flags),
    progress,
    options.projectDir,
  );
  const plans = incidentsFor(scenario, stack.model.activationFailureSeconds.seconds);
  progress("starting the simulated AWS and the Lambda-like runtime");
  const world = await openStoryWorld({
    pkg: stack.pkg,
    resources: stack.resources,
    model: stack.model,
    startWarm: false,
  });
  let story: StoryRun;
  try {
    story = await runIncidents(world, plans, {
      declared: stack.declared,
      scheduleSeconds: stack.model.scheduleSeconds.seconds,
      progress,
    });
  } finally {
    await world.close();
  }
  const ok = story.incidents.every((incident) => incident.checks.every((check) => check.ok));
  io.out(
    flags.json
      ? `${JSON.stringify(jsonReport(stack, scenario, story), null, 2)}\n`
      : text(stack, story),
  );
  return ok ? 0 : 1;
}

/** The machine-readable document of `--json`. */
export function jsonReport(stack: LoadedStack, scenario: string, story: StoryRun) {
  return {
    stack: stack.stack,
    scenario,
    plan: planRows(stack.resources),
    warnings: stack.warnings,
    archive: {
      entries: stack.pkg.entries,
      indexJsBytes: Buffer.byteLength(stack.pkg.indexJs),
      zippedBytes: stack.zippedBytes,
    },
    timingModel: Object.values(stack.model),
    incidents: story.incidents,
    timeline: story.timeline,
    ok: story.incidents.every((incident) => incident.checks.every((check) => check.ok)),
  };
}

function text(stack: LoadedStack, story: StoryRun): string {
  const checks = story.incidents.flatMap((incident) =>
    incident.checks.map(
      (check) => `  ${check.ok ? "ok  " : "FAIL"}  ${incident.key}: ${check.what}`,
    ),
  );
  const overTimeout = story.incidents.flatMap((incident) =>
    incident.overTimeout.map((label) => `  ${incident.key}: the invocation for ${label}`),
  );
  return [
    `PLAN (stack ${stack.stack}: ${stack.resources.length} resources)`,
    formatPlan(stack.resources),
    ...stack.warnings.map((warning) => `warning: ${warning}`),
    "",
    `RECONCILER PACKAGE: ${stack.pkg.entries.join(", ")}; ` +
      `${Buffer.byteLength(stack.pkg.indexJs)} B, ${stack.zippedBytes} B zipped`,
    "",
    "TIMING MODEL (seconds; override with the flag)",
    formatModel(stack.model),
    "",
    "TIMELINE (modeled time since `pulumi up`; aws = the simulated AWS, reconciler = the serialized handler)",
    formatTimeline(story.timeline),
    "",
    "INCIDENTS",
    formatIncidents(story.incidents),
    "",
    "CHECKS",
    ...checks,
    ...(overTimeout.length > 0
      ? ["", "LONGER THAN THE FUNCTION'S TIMEOUT (AWS would have killed them):", ...overTimeout]
      : []),
    "",
  ].join("\n");
}

export function formatModel(model: TimingModel): string {
  return formatTable(Object.values(model), [
    { header: "FLAG", value: (entry) => entry.flag },
    { header: "SECONDS", value: (entry) => String(entry.seconds), right: true },
    { header: "ORIGIN", value: (entry) => entry.origin },
    { header: "STEP AND SOURCE", value: (entry) => `${entry.label}. ${entry.source}` },
  ]);
}

if (require.main === module) {
  runMain(() =>
    main(process.argv.slice(2), {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    }),
  );
}
