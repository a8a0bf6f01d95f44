// The story's output: timeline entries for each invocation of the serialized handler (what it was
// woken by, what it did, what it cost), and the terminal rendering of the timeline and incidents.
import type { Incident, TimelineEntry } from "./story-driver";
import type { Invocation } from "./story-world";
import { formatTable } from "./text-table";

export function invocationEntries(
  invocation: Invocation,
  incident: string,
  since: (at: number) => number,
): TimelineEntry[] {
  const entry = (at: number, what: string): TimelineEntry => ({
    at: since(at),
    incident,
    actor: "reconciler",
    what,
  });
  const entries = [entry(invocation.deliveredAt, `invoked by ${invocation.label} (cold start)`)];
  const report = invocation.report;
  if (!invocation.ok || !report) {
    entries.push(entry(invocation.endedAt, `failed: ${invocation.error}`));
    return entries;
  }
  const done: string[] = [];
  for (const round of report.rounds) {
    for (const outcome of round.outcomes) {
      const { action } = outcome;
      const status = outcome.commandStatus ? ` -> ${outcome.commandStatus}` : "";
      const failure = outcome.ok ? "" : ` (failed: ${outcome.error})`;
      done.push(`${action.kind} ${action.instanceId}${status}${failure}`);
    }
    if (round.actions.length === 0) done.push(...round.notes);
  }
  const seconds = ((invocation.endedAt - invocation.startedAt) / 1000).toFixed(1);
  const summary = done.length > 0 ? done.join("; ") : "nothing to do";
  entries.push(
    entry(invocation.endedAt, `${summary} [${invocation.calls.length} AWS calls, ${seconds} s]`),
  );
  return entries;
}

/** "T+1:02:03.4" from seconds since the story's start. */
export function clockTime(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  const h = Math.floor(tenths / 36000);
  const m = Math.floor((tenths % 36000) / 600);
  const s = (tenths % 600) / 10;
  const ss = s.toFixed(1).padStart(4, "0");
  return h > 0
    ? `T+${h}:${String(m).padStart(2, "0")}:${ss}`
    : `T+${String(m).padStart(2, "0")}:${ss}`;
}

export function formatTimeline(entries: TimelineEntry[]): string {
  return formatTable(entries, [
    { header: "TIME", value: (e) => clockTime(e.at) },
    { header: "WHO", value: (e) => e.actor },
    { header: "INSTANCE", value: (e) => e.instanceId ?? "" },
    { header: "WHAT", value: (e) => e.what },
  ]);
}

export function formatIncidents(incidents: Incident[]): string {
  return formatTable(incidents, [
    { header: "INCIDENT", value: (i) => i.key },
    { header: "STARTED", value: (i) => clockTime(i.startedAt) },
    {
      header: "RESOLVED",
      value: (i) => (i.resolvedAt === undefined ? "-" : clockTime(i.resolvedAt)),
    },
    { header: "SECONDS", value: (i) => (i.recoverySeconds ?? 0).toFixed(1), right: true },
    { header: "INVOKED", value: (i) => String(i.invocations), right: true },
    { header: "MEASURE", value: (i) => i.measure },
  ]);
}
