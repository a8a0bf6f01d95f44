// `npm run bench`: numbers about the deployed reconciler, from the serialized Lambda run against
// the simulated AWS. Prints tables and writes JSON (default .bench/bench.json). What each number
// means and where it stops meaning anything: docs/sandbox.md.
import * as fs from "node:fs";
import * as path from "node:path";
import { measureHandlerTime, median, type HandlerTime } from "./bench-handler-time";
import {
  compareArchives,
  countCalls,
  failoverBreakdown,
  type CallCounts,
  type FailoverBreakdown,
} from "./bench-measure";
import {
  CliError,
  TIMING_FLAGS,
  helpText,
  parseFlags,
  runMain,
  timingOverrides,
  type FlagSpec,
} from "./cli";
import { loadStack } from "./stack";
import type { Io, RunOptions } from "./start";
import { formatTable } from "./text-table";

export const BENCH_FLAGS: FlagSpec[] = [
  { name: "stack", kind: "string", help: "stack whose Pulumi.<stack>.yaml to load (default dev)" },
  { name: "groups", kind: "list", help: "group sizes to count calls for (default 2,10,100)" },
  { name: "latency-ms", kind: "number", help: "delay added to every AWS call (default 20)" },
  { name: "repeat", kind: "number", help: "steady-state runs per group size (default 3)" },
  { name: "out", kind: "string", help: "where to write the JSON (default .bench/bench.json)" },
  { name: "json", kind: "boolean", help: "print the JSON document instead of tables" },
  { name: "help", kind: "boolean", help: "show this help" },
  ...TIMING_FLAGS,
];

const SUMMARY =
  "Measures the serialized reconciler against the simulated AWS: archive size, AWS calls per\n" +
  "invocation, handler time with a fixed per-call latency, and the modeled failover time.";

export interface BenchReport {
  stack: string;
  generatedAt: string;
  node: string;
  archive: Awaited<ReturnType<typeof compareArchives>>;
  calls: CallCounts[];
  handlerTime: HandlerTime[];
  failover: FailoverBreakdown;
}

export async function main(argv: string[], io: Io, options: RunOptions = {}): Promise<number> {
  const flags = parseFlags(argv, BENCH_FLAGS);
  if (flags.help) {
    io.out(helpText("npm run bench -- [flags]", SUMMARY, BENCH_FLAGS));
    return 0;
  }
  const groups = ((flags.groups as string[] | undefined) ?? ["2", "10", "100"]).map(groupSize);
  const latencyMs = (flags["latency-ms"] as number | undefined) ?? 20;
  const repeat = Math.max(1, Math.round((flags.repeat as number | undefined) ?? 3));
  const out = path.resolve(String(flags.out ?? path.join(__dirname, "..", ".bench", "bench.json")));
  let step = 0;
  const progress = (line: string) => io.err(`[bench ${++step}] ${line}\n`);

  const stack = await loadStack(
    String(flags.stack ?? "dev"),
    timingOverrides(flags),
    progress,
    options.projectDir,
  );
  progress("zipping the same CallbackFunction with default code paths");
  const archive = await compareArchives(stack);
  const calls: CallCounts[] = [];
  const handlerTime: HandlerTime[] = [];
  for (const size of groups) {
    progress(`counting AWS calls, group of ${size}`);
    calls.push(await countCalls(stack, size));
    progress(`timing the handler, group of ${size}, ${latencyMs} ms per call`);
    handlerTime.push(await measureHandlerTime(stack, size, latencyMs, repeat));
  }
  progress("modeling the failover of the story's 'instance dies' incident");
  const failover = await failoverBreakdown(stack);

  const report: BenchReport = {
    stack: stack.stack,
    generatedAt: new Date().toISOString(),
    node: process.version,
    archive,
    calls,
    handlerTime,
    failover,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  io.out(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${tables(report)}\nwrote ${out}\n`);
  return 0;
}

function groupSize(text: string): number {
  const size = Number(text);
  if (!Number.isInteger(size) || size < 2 || size > 500) {
    throw new CliError(`--groups takes sizes from 2 to 500, got '${text}'`);
  }
  return size;
}

export function tables(report: BenchReport): string {
  const { archive, failover } = report;
  const kib = (bytes: number) =>
    bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const archiveRows = [
    { name: "ours (codePathOptions excludes @aws-sdk/*)", ...archive.ours },
    { name: "same CallbackFunction, default code paths", ...archive.defaultCodePaths },
  ];
  const ops = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([op, n]) => `${op} ${n}`)
      .join(", ");
  return [
    "LAMBDA ARCHIVE (zipped, DEFLATE)",
    formatTable(archiveRows, [
      { header: "PACKAGE", value: (r) => r.name },
      { header: "ENTRIES", value: (r) => String(r.entries), right: true },
      { header: "ZIPPED", value: (r) => kib(r.zippedBytes), right: true },
      { header: "MODELED INIT", value: (r) => `${r.modeledInitSeconds} s`, right: true },
    ]),
    "",
    "AWS CALLS PER INVOCATION (polls: GetCommandInvocation, one per 3 s while an activation runs)",
    formatTable(
      report.calls.flatMap((c) => [
        { size: c.instances, kind: "first start", ...c.firstStart },
        { size: c.instances, kind: "steady state", ...c.steadyState },
        { size: c.instances, kind: "failover", ...c.failover },
      ]),
      [
        { header: "GROUP", value: (r) => String(r.size), right: true },
        { header: "INVOCATION", value: (r) => r.kind },
        { header: "CALLS", value: (r) => String(r.total), right: true },
        { header: "POLLS", value: (r) => String(r.polls), right: true },
        { header: "BY OPERATION", value: (r) => ops(r.byOperation) },
      ],
    ),
    "",
    `HANDLER TIME (wall clock, local node ${report.node}, every call delayed ${report.handlerTime[0]?.latencyMs} ms)`,
    formatTable(report.handlerTime, [
      { header: "GROUP", value: (h) => String(h.instances), right: true },
      { header: "INIT", value: (h) => `${h.initMs} ms`, right: true },
      { header: "STEADY (MEDIAN)", value: (h) => `${median(h.steadyStateMs)} ms`, right: true },
      { header: "CALLS", value: (h) => String(h.steadyStateCalls), right: true },
      { header: "FAILOVER", value: (h) => `${h.failoverMs} ms`, right: true },
      { header: "CALLS", value: (h) => String(h.failoverCalls), right: true },
    ]),
    "(failover includes the simulator's 0.22 s activation; on AWS the script takes minutes)",
    "",
    `MODELED FAILOVER (stack ${report.stack}): ${failover.totalSeconds} s; the original design ` +
      `reports ${failover.originalDesignSeconds} s`,
    formatTable(failover.steps, [
      { header: "STEP", value: (s) => s.step },
      { header: "SECONDS", value: (s) => s.seconds.toFixed(2), right: true },
      { header: "SHARE", value: (s) => `${(s.share * 100).toFixed(1)} %`, right: true },
    ]),
    `(meanwhile the old instance's termination, from its start to its Terminate event, took ` +
      `${failover.terminationSeconds} s)`,
    "",
  ].join("\n");
}

if (require.main === module) {
  runMain(() =>
    main(process.argv.slice(2), {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    }),
  );
}
