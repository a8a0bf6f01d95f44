import type { Settings } from "./types";

/**
 * The contract between the Pulumi component (which sets these on the Lambda) and the handler.
 * Names are plain strings so that both sides and the tests share one list.
 */
export const ENV = {
  groupName: "WS_GROUP_NAME",
  loadBalancerArn: "WS_LOAD_BALANCER_ARN",
  /** Comma-separated. */
  targetGroupArns: "WS_TARGET_GROUP_ARNS",
  documentName: "WS_DOCUMENT_NAME",
  activationTimeoutSeconds: "WS_ACTIVATION_TIMEOUT_SECONDS",
  promotionGraceSeconds: "WS_PROMOTION_GRACE_SECONDS",
  /** Optional; defaults to DEFAULT_POLL_INTERVAL_MS. */
  pollIntervalMs: "WS_POLL_INTERVAL_MS",
} as const;

export const DEFAULT_POLL_INTERVAL_MS = 3000;

/** Reads and checks the settings; throws one error naming every missing or bad variable. */
export function readSettings(env: Record<string, string | undefined>): Settings {
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = (env[name] ?? "").trim();
    if (!value) problems.push(`${name} is not set`);
    return value;
  };
  const positive = (name: string, fallback?: number): number => {
    const raw = env[name];
    if ((raw === undefined || raw.trim() === "") && fallback !== undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) problems.push(`${name} must be a positive integer`);
    return value;
  };
  const settings: Settings = {
    groupName: text(ENV.groupName),
    loadBalancerArn: text(ENV.loadBalancerArn),
    targetGroupArns: text(ENV.targetGroupArns)
      .split(",")
      .map((arn) => arn.trim())
      .filter((arn) => arn.length > 0),
    documentName: text(ENV.documentName),
    activationTimeoutSeconds: positive(ENV.activationTimeoutSeconds),
    promotionGraceSeconds: positive(ENV.promotionGraceSeconds),
    pollIntervalMs: positive(ENV.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS),
  };
  if (problems.length > 0) {
    throw new Error(`reconciler settings: ${problems.join("; ")}`);
  }
  return settings;
}
