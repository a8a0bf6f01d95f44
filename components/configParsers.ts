// Parsers for raw stack-config text. The Pulumi CLI hands every value to the program as text
// (numbers as "2", lists as JSON "[8080]"), so each parser takes that text and returns either the
// value or a short problem statement; configValidation.ts turns problems into full messages.

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/** A whole number within [min, max] (max optional). */
export function parseInteger(text: string, min: number, max?: number): Parsed<number> {
  const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
  const value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    return bad(`must be a whole number ${range}`);
  }
  return ok(value);
}

export function parseBoolean(text: string): Parsed<boolean> {
  if (text === "true") return ok(true);
  if (text === "false") return ok(false);
  return bad("must be true or false");
}

function parseJsonList(text: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON list of strings, each checked by `item` (which returns a problem or undefined). */
export function parseStringList(
  text: string,
  item: (value: string) => string | undefined = () => undefined,
): Parsed<string[]> {
  const list = parseJsonList(text);
  if (!list || !list.every((entry) => typeof entry === "string")) {
    return bad("must be a list of strings");
  }
  const strings = list as string[];
  for (const entry of strings) {
    const problem = item(entry);
    if (problem) return bad(problem);
  }
  return ok(strings);
}

/** A JSON list of distinct TCP ports. */
export function parsePortList(text: string): Parsed<number[]> {
  const list = parseJsonList(text);
  if (!list || !list.every((entry) => typeof entry === "number")) {
    return bad("must be a list of TCP port numbers");
  }
  const ports = list as number[];
  const fractional = ports.find((port) => !Number.isInteger(port));
  if (fractional !== undefined) return bad(`port ${fractional} is not a whole number`);
  const outside = ports.find((port) => port < 1 || port > 65535);
  if (outside !== undefined) return bad(`port ${outside} is outside 1-65535`);
  const repeated = ports.find((port, index) => ports.indexOf(port) !== index);
  if (repeated !== undefined) return bad(`port ${repeated} is listed twice`);
  return ok(ports);
}

/** Problem with an IPv4 CIDR (e.g. "10.0.0.0/16"), or undefined when it is a network address. */
export function cidrProblem(cidr: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((octet) => octet > 255) || prefix > 32) {
    return `"${cidr}" is not an IPv4 CIDR such as 10.0.0.0/16`;
  }
  // AWS rejects a CIDR whose host bits are set; name the network the user most likely meant.
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const hostBits = 2 ** (32 - prefix);
  const network = address - (address % hostBits);
  if (network !== address) {
    const text = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    return `"${cidr}" has host bits set (did you mean ${text}/${prefix}?)`;
  }
  return undefined;
}

/** Problem with an EventBridge schedule expression, or undefined when it is valid. */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const amount = Number(rate[1]);
    // EventBridge wants the singular unit for 1 and the plural otherwise ("rate(1 minute)").
    const singular = !rate[2].endsWith("s");
    if (amount < 1) return "a rate must be at least 1";
    if (singular !== (amount === 1)) return `write "${amount} ${pluralUnit(rate[2], amount)}"`;
    return undefined;
  }
  if (/^cron\(\S+( \S+){5}\)$/.test(expression)) return undefined;
  return "must be rate(<number> <minute|minutes|hour|hours|day|days>) or cron(<6 fields>)";
}

function pluralUnit(unit: string, amount: number): string {
  const base = unit.replace(/s$/, "");
  return amount === 1 ? base : `${base}s`;
}

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];
