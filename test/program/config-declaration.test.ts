// The config is declared three times: Pulumi.yaml (what the CLI checks and defaults), the
// program's own defaults (what mocks and the Automation API get), and the README's table (what
// people read). These tests keep the three the same.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../../components/config";
import { CONFIG_DEFAULTS, REQUIRED_KEYS } from "../../components/configSchema";
import { checkConfig } from "../../components/configValidation";
import { DEV_CONFIG, PROJECT_DIR } from "./stacks";

interface Declaration {
  type: "string" | "integer" | "boolean" | "array";
  items?: { type: string };
  default?: unknown;
  description?: string;
}

const project = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
  name: string;
  runtime: { name: string; options: { typescript: boolean } };
  config: Record<string, Declaration>;
};
const declared = Object.entries(project.config);

/** The type as the README writes it: "string", "integer[]", ... */
const typeName = (d: Declaration) => (d.type === "array" ? `${d.items?.type}[]` : d.type);

/** The default as the README writes it, in backticks; "required" when there is none. */
const defaultCell = (d: Declaration) => {
  if (!("default" in d)) return "required";
  const value = d.default;
  return `\`${typeof value === "string" && value !== "" ? value : JSON.stringify(value)}\``;
};

function readmeTable(): { key: string; type: string; default: string; meaning: string }[] {
  const lines = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8").split("\n");
  const header = lines.findIndex((line) => /^\|\s*key\s*\|\s*type\s*\|\s*default\s*\|/.test(line));
  assert.ok(header >= 0, "the README has a config table");
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line);
  }
  return rows.map((row) => {
    const [key, type, fallback, meaning] = row
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    return { key: key.replace(/`/g, ""), type: type.replace(/`/g, ""), default: fallback, meaning };
  });
}

/** A value as the CLI hands it to the program: text, non-strings JSON-encoded. */
const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
const readScript = (file: string) => {
  const full = path.resolve(PROJECT_DIR, file);
  return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
};

describe("program: config declaration", () => {
  it("Pulumi.yaml names the project and a TypeScript Node.js runtime", () => {
    assert.equal(project.name, "warm-standby");
    assert.equal(project.runtime.name, "nodejs");
    assert.equal(project.runtime.options.typescript, true);
  });

  it("declares exactly the keys the program reads, each with a type and a description", () => {
    assert.deepEqual(declared.map(([key]) => key).sort(), [...CONFIG_KEYS].sort());
    for (const [key, declaration] of declared) {
      assert.ok(["string", "integer", "boolean", "array"].includes(declaration.type), key);
      assert.equal(declaration.type === "array", declaration.items !== undefined, key);
      assert.ok(declaration.description && declaration.description.length > 10, key);
    }
  });

  it("has the program's defaults, and no default for the required keys", () => {
    for (const [key, declaration] of declared) {
      if ((REQUIRED_KEYS as readonly string[]).includes(key)) {
        assert.equal("default" in declaration, false, key);
      } else {
        assert.deepEqual(
          declaration.default,
          (CONFIG_DEFAULTS as Record<string, unknown>)[key],
          key,
        );
      }
    }
  });

  it("gives the program the same arguments whether the CLI or the program applies the defaults", () => {
    const required = Object.fromEntries(
      [...REQUIRED_KEYS, "amiId"].map((key) => [key, asText(DEV_CONFIG[`warm-standby:${key}`])]),
    );
    const withCliDefaults = Object.fromEntries(
      declared.filter(([, d]) => "default" in d).map(([key, d]) => [key, asText(d.default)]),
    );
    const fromProgram = checkConfig(required, readScript);
    const fromCli = checkConfig({ ...withCliDefaults, ...required }, readScript);
    assert.deepEqual(fromProgram.errors, []);
    assert.deepEqual(fromCli, fromProgram);
  });

  it("README's config table lists every key of Pulumi.yaml, in order, with its type and default", () => {
    const table = readmeTable();
    assert.deepEqual(
      table.map(({ key, type, default: fallback }) => [key, type, fallback]),
      declared.map(([key, d]) => [key, typeName(d), defaultCell(d)]),
    );
    assert.ok(table.every((row) => row.meaning.length > 0));
  });

  it("Pulumi.dev.yaml sets every key (amiName only as the commented alternative to amiId)", () => {
    const set = Object.keys(DEV_CONFIG).filter((key) => key.startsWith("warm-standby:"));
    assert.deepEqual(
      set.map((key) => key.slice("warm-standby:".length)).sort(),
      CONFIG_KEYS.filter((key) => key !== "amiName").sort(),
    );
    assert.equal(DEV_CONFIG["aws:region"], "eu-central-1");
  });
});
