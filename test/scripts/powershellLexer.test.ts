import { strict as assert } from "node:assert";
import { lexPowerShell } from "./powershellLexer";

// The static checks on the scripts trust this lexer, so it is checked first.
describe("PowerShell test lexer", () => {
  it("reduces strings to their delimiters, keeps sub-expressions as code, drops comments", () => {
    const lexed = lexPowerShell(
      [
        "<# help: ( { '",
        "#>",
        '$a = \'it\'\'s (\' + "x $($b.Name) `" "" y" # trailing ) comment',
        "@'",
        "here } text",
        "'@",
      ].join("\n"),
    );
    assert.deepEqual(lexed.problems, []);
    assert.equal(lexed.skeleton, "\n$a = '' + \"$($b.Name)\" \n@''@");
    assert.deepEqual(lexed.strings, ["it''s (", 'x $($b.Name) `" "" y', "here } text"]);
    assert.equal(lexed.withoutComments.split("\n")[0].trim(), "");
    assert.match(lexed.withoutComments, /\$a = 'it''s \(' \+ "x/);
  });

  it("pairs every bracket of code with its closer, sub-expressions included, strings excluded", () => {
    const source = "f { (a) '{' \"$(b)\" }";
    assert.deepEqual(
      [...lexPowerShell(source).pairs].map(([open, close]) => source[open] + source[close] + open),
      ["()4", "()14", "{}2"],
    );
  });

  it("reports unclosed and mismatched brackets with their lines", () => {
    assert.deepEqual(lexPowerShell("if ($a) {\n  foo(\n}").problems, [
      "line 3: } does not close anything open",
      "line 1: { is never closed",
      "line 2: ( is never closed",
    ]);
    assert.deepEqual(lexPowerShell("}").problems, ["line 1: } does not close anything open"]);
  });

  it("reports unterminated strings, here-strings and block comments", () => {
    assert.deepEqual(lexPowerShell("Write-Host 'open\n").problems, [
      "line 1: string ' is never closed",
    ]);
    assert.deepEqual(lexPowerShell('\nWrite-Host "open').problems, [
      'line 2: string " is never closed',
    ]);
    assert.deepEqual(lexPowerShell("@'\nbody\n").problems, [
      "line 1: here-string @' is never closed by '@",
    ]);
    assert.deepEqual(lexPowerShell("<# open").problems, [
      "line 1: block comment <# is never closed",
    ]);
  });

  it("treats typographic quotes as quotes, as PowerShell does", () => {
    const lexed = lexPowerShell("Write-Host \u2018a\u2019\u2019b\u2019; \u201Cc\u201D");
    assert.deepEqual(lexed.problems, []);
    assert.equal(lexed.skeleton, "Write-Host ''; \"\"");
    assert.deepEqual(lexed.strings, ["a\u2019\u2019b", "c"]);
  });
});
