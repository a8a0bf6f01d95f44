// Reading operation inputs. They arrive SDK-shaped: typed from in-process callers and from JSON,
// strings from query-protocol forms; these helpers accept both and reject what AWS would reject.
import { validationError, type ServiceName } from "../errors";
import type { World } from "../world";

export type Input = Record<string, unknown>;

/** One simulated operation: SDK-shaped input in, SDK-shaped output out (Date for timestamps). */
export type Operation = (world: World, input: InputReader) => Record<string, unknown>;

export class InputReader {
  constructor(
    private readonly service: ServiceName,
    private readonly input: Input,
  ) {}

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined || value === "") {
      throw validationError(this.service, `${name} is required`);
    }
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw validationError(this.service, `${name} must be a string`);
    return value;
  }

  /** An integer within [min, max], in the words AWS uses for the violation. */
  optionalInt(name: string, min: number, max: number): number | undefined {
    const raw = this.input[name];
    if (raw === undefined || raw === null || raw === "") return undefined;
    const value = typeof raw === "number" ? raw : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw validationError(
        this.service,
        `1 validation error detected: Value '${String(raw)}' at '${lowerFirst(name)}' failed to ` +
          `satisfy constraint: Member must have value between ${min} and ${max}`,
      );
    }
    return value;
  }

  strings(name: string): string[] {
    const value = this.input[name];
    if (isAbsentList(value)) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      throw validationError(this.service, `${name} must be a list of strings`);
    }
    return value as string[];
  }

  records(name: string): Input[] {
    const value = this.input[name];
    if (isAbsentList(value)) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "object" || item === null)) {
      throw validationError(this.service, `${name} must be a list of structures`);
    }
    return value as Input[];
  }

  /** A map of string lists (SSM command parameters). */
  stringListMap(name: string): Record<string, string[]> {
    const value = this.input[name];
    if (value === undefined || value === null) return {};
    const entries =
      typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : null;
    if (
      !entries ||
      entries.some(([, v]) => !Array.isArray(v) || v.some((s) => typeof s !== "string"))
    ) {
      throw validationError(this.service, `${name} must map names to lists of strings`);
    }
    return Object.fromEntries(entries) as Record<string, string[]>;
  }

  /** A nested structure or list item, read with the same rules. */
  nested(record: Input): InputReader {
    return new InputReader(this.service, record);
  }
}

/** awsQuery sends an empty list as "Name=" (an empty string). */
function isAbsentList(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
