// Opaque NextToken pagination shared by the simulated list operations.
import { SimError } from "../errors";
import type { InputReader } from "./input";

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * Slices `items` from the offset in the input's NextToken; a token the simulator did not issue is
 * an error with the service's code.
 */
export function paginate<T>(
  items: T[],
  maxResults: number,
  input: InputReader,
  invalidTokenCode: string,
): Page<T> {
  const nextToken = input.optionalString("NextToken");
  const offset = nextToken === undefined ? 0 : decodeToken(nextToken, invalidTokenCode);
  const end = offset + maxResults;
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? encodeToken(end) : undefined,
  };
}

function encodeToken(offset: number): string {
  return Buffer.from(`sim-offset:${offset}`).toString("base64");
}

function decodeToken(token: string, invalidTokenCode: string): number {
  const match = /^sim-offset:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  if (!match) throw new SimError(invalidTokenCode, "The specified token is invalid.");
  return Number(match[1]);
}
