/**
 * Structure of a real .ps1 file for the static checks: its comment-based help, its param block,
 * its functions and the code after the param block, all located with the test lexer.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lexPowerShell, type Lexed } from "./powershellLexer";

export interface ScriptFile {
  text: string;
  lexed: Lexed;
  /** Text inside the leading <# ... #> help comment. */
  help: string;
  /** The param block's declarations, split at top-level commas, whitespace collapsed. */
  parameters: string[];
  /** Names declared in the param block, in order. */
  parameterNames: string[];
  /** Code (comments blanked) after the param block. */
  body: string;
  /** Code (comments blanked) inside `function name ... { }`. */
  functionBody(name: string): string;
}

export function readScript(name: string): ScriptFile {
  const text = readFileSync(join(__dirname, "../../scripts", name), "utf8");
  const lexed = lexPowerShell(text);
  const code = lexed.withoutComments;

  const helpMatch = /^\s*<#([\s\S]*?)#>/.exec(text);
  assert.ok(helpMatch, `${name} opens with comment-based help`);

  const paramAt = /\S/.exec(code)?.index ?? -1;
  assert.ok(code.startsWith("param(", paramAt), `${name}: param(...) is the first code`);
  const open = paramAt + "param".length;
  const close = lexed.pairs.get(open);
  assert.ok(close !== undefined, `${name}: the param block closes`);
  const parameters = splitTopLevel(code, open + 1, close, lexed.pairs).map((declaration) =>
    declaration.replace(/\s+/g, " ").trim(),
  );

  return {
    text,
    lexed,
    help: helpMatch[1],
    parameters,
    parameterNames: parameters.map((declaration) => {
      const variable = /\$(\w+)\s*(=|$)/.exec(declaration);
      assert.ok(variable, `a parameter variable in ${declaration}`);
      return variable[1];
    }),
    body: code.slice(close + 1),
    functionBody(functionName: string): string {
      const at = code.search(new RegExp(`function ${functionName}(?=[\\s(])`));
      assert.ok(at >= 0, `${name} defines function ${functionName}`);
      let brace = code.indexOf("{", at);
      // A { that pairs with nothing is inside a string (e.g. in the param list's defaults).
      while (brace >= 0 && !lexed.pairs.has(brace)) brace = code.indexOf("{", brace + 1);
      const end = lexed.pairs.get(brace);
      assert.ok(end !== undefined, `function ${functionName} has a body`);
      return code.slice(brace + 1, end);
    },
  };
}

/** The text between from and to, split at commas that are not inside a nested bracket. */
function splitTopLevel(code: string, from: number, to: number, pairs: Map<number, number>) {
  const parts: string[] = [];
  let start = from;
  for (let i = from; i < to; i++) {
    const skipTo = pairs.get(i);
    if (skipTo !== undefined) {
      i = skipTo;
    } else if (code[i] === ",") {
      parts.push(code.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(code.slice(start, to));
  return parts;
}
