// The two lines an invocation writes to stdout: one structured JSON log line, and one CloudWatch
// Embedded Metric Format line (CloudWatch Logs turns it into metrics; no SDK call, no dependency).
import type { Trigger } from "./event";
import type { InvocationMetrics, Report } from "./summary";

export const METRIC_NAMESPACE = "WarmStandby";
export const METRIC_DIMENSION = "AutoScalingGroupName";

export type LogLevel = "info" | "warn" | "error";

export interface LogEntry {
  level: LogLevel;
  msg: string;
  requestId?: string;
  event: Trigger;
  report?: Report;
  /** Why the invocation failed outright ("Name: message"), when it did. */
  error?: string;
}

/** One JSON object on one line. */
export function logLine(entry: LogEntry): string {
  return JSON.stringify(entry);
}

/** error when the loop ended on a fault, warn when some action failed, info otherwise. */
export function levelOf(report: Report): LogLevel {
  if (report.fault !== undefined) return "error";
  return report.totals.failedActions > 0 ? "warn" : "info";
}

/**
 * One EMF document: the metric definitions under _aws, the values and the dimension at the top
 * level (EMF specification). FailoverSeconds is only present when a promotion completed; several
 * promotions in one invocation give an array of values, which EMF accepts.
 */
export function emfLine(groupName: string, timestamp: number, metrics: InvocationMetrics): string {
  const values: Record<string, number | number[]> = {};
  const definitions: { Name: string; Unit: string }[] = [];
  const add = (name: string, unit: string, value: number | number[] | undefined): void => {
    if (value === undefined) return;
    definitions.push({ Name: name, Unit: unit });
    values[name] = value;
  };
  add("ActiveInstances", "Count", metrics.activeInstances);
  add("WarmStandbys", "Count", metrics.warmStandbys);
  add("Activations", "Count", metrics.activations);
  add("ActivationFailures", "Count", metrics.activationFailures);
  const failover = metrics.failoverSeconds;
  add("FailoverSeconds", "Seconds", failover.length > 1 ? failover : failover[0]);
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        { Namespace: METRIC_NAMESPACE, Dimensions: [[METRIC_DIMENSION]], Metrics: definitions },
      ],
    },
    [METRIC_DIMENSION]: groupName,
    ...values,
  });
}
