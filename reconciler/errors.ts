/** "Name: message" of anything thrown, for outcomes and log lines. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The error's name (SDK exceptions carry the AWS error code there), if it has one. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
