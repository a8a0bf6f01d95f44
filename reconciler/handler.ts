// The reconciler Lambda's entry point. The event only says "look now": whatever woke it (a launch
// or terminate of the group, the schedule, a test invoke, garbage), it reconciles its own group.
import { createClients } from "./clients";
import type { Deps } from "./deps";
import { describeError } from "./errors";
import { parseTrigger } from "./event";
import { reconcile } from "./reconcile";
import { emfLine, levelOf, logLine } from "./report";
import { readSettings } from "./settings";
import { metricsOf, type Report } from "./summary";
import type { Settings } from "./types";

export { reconcile } from "./reconcile";

/** The Lambda-like context the handler uses. */
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
  getRemainingTimeInMillis(): number;
}

/** Without a Lambda context (a local call), the invocation budget assumed. */
export const DEFAULT_BUDGET_MS = 60_000;

/**
 * The handler's logic against injected dependencies: the offline sandbox and the tests run exactly
 * what Lambda runs. Writes one JSON log line and one EMF line; rethrows an AWS fault that ended the
 * loop so that Lambda's async retries and its on-failure destination see it. A fault cannot leave
 * more than the declared capacity active: act promotes only after every fencing action succeeded.
 */
export function handleWith(
  deps: Deps,
): (event: unknown, context?: Pick<LambdaContext, "awsRequestId">) => Promise<Report> {
  return async (event, context) => {
    const trigger = parseTrigger(event);
    const { report, fault } = await reconcile(deps, trigger);
    const msg = report.fault === undefined ? "reconciled" : "reconcile failed";
    deps.write(
      logLine({
        level: levelOf(report),
        msg,
        requestId: context?.awsRequestId,
        event: trigger,
        report,
      }),
    );
    deps.write(emfLine(deps.settings.groupName, deps.now(), metricsOf(report)));
    if (report.fault !== undefined) throw fault;
    return report;
  };
}

/** Entry point of the reconciler Lambda. */
export async function handler(event: unknown, context?: LambdaContext): Promise<Report> {
  // Raw stdout, not console.log: with Lambda's JSON log format, console output is wrapped in a
  // JSON object ({timestamp, level, requestId, message}), which would hide the EMF document from
  // CloudWatch's metric extraction. The EMF client library switched to its own stdout Console for
  // this (awslabs/aws-embedded-metrics-node PR #158; CloudWatch user guide, "Using the embedded
  // metric format with Lambda": Node.js with the JSON log format needs version 4.1.1+).
  const write = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  let settings: Settings;
  try {
    settings = readSettings(process.env);
  } catch (error) {
    // Misconfiguration must be visible: logged, then the invocation fails.
    write(
      logLine({
        level: "error",
        msg: "invalid settings",
        requestId: context?.awsRequestId,
        event: parseTrigger(event),
        error: describeError(error),
      }),
    );
    throw error;
  }
  const startedAt = Date.now();
  const deps: Deps = {
    clients: createClients(),
    settings,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    remainingMs: () =>
      context ? context.getRemainingTimeInMillis() : DEFAULT_BUDGET_MS - (Date.now() - startedAt),
    write,
  };
  return handleWith(deps)(event, context);
}
