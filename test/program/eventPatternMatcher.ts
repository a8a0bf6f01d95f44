// EventBridge's matching for the subset of event patterns this project writes: a pattern is an
// object whose leaves are arrays of allowed values (exact match, any of them), and whose objects
// match the event's object at the same key. An array in the event matches when any element does.
// Fields the pattern does not name are ignored; a field it names must be present.

type Pattern = { [field: string]: Pattern | (string | number | boolean | null)[] };

export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
  const fields = event as Record<string, unknown>;
  return Object.entries(pattern).every(([field, expected]) => {
    if (!(field in fields)) return false;
    const actual = fields[field];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => expected.some((allowed) => allowed === value));
    }
    return matchesPattern(expected, actual);
  });
}

export function parsePattern(text: string): Pattern {
  const pattern: unknown = JSON.parse(text);
  assertPattern(pattern, "");
  return pattern;
}

/** Refuses what this matcher does not implement (prefix, numeric, anything-but, ...). */
function assertPattern(value: unknown, at: string): asserts value is Pattern {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`pattern${at}: expected an object`);
  }
  for (const [field, inner] of Object.entries(value)) {
    if (Array.isArray(inner)) {
      if (inner.some((v) => typeof v === "object" && v !== null)) {
        throw new Error(`pattern${at}.${field}: content filters are not supported here`);
      }
    } else {
      assertPattern(inner, `${at}.${field}`);
    }
  }
}
