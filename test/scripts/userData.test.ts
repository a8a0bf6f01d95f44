import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { singleQuoted } from "../../components/activationDocument";
import { MAX_USER_DATA_BYTES, warmupUserData } from "../../components/userData";
import { lexPowerShell } from "./powershellLexer";

const warmupScript = readFileSync(join(__dirname, "../../scripts/warmup.ps1"), "utf8");

/** The text that closes the script block and passes the service list (a line, unless a
 * service name holds a newline: legal inside a single-quoted literal). */
const invocationLine = (userData: string): string => {
  const start = userData.indexOf("\n} -Services");
  const end = userData.indexOf("\n} catch {", start);
  assert.ok(start >= 0 && end > start, "the script block is closed with the service list");
  return userData.slice(start + 1, end);
};

describe("warm-up user data", () => {
  it("is exactly: <powershell>, the script as a script block with the services, </powershell>, persist false", () => {
    const userData = warmupUserData({
      script: "param([string[]]$Services)\nWrite-Host $Services\n",
      services: ["AcmeLicense", "Acme Server"],
    });
    assert.equal(
      userData,
      [
        "<powershell>",
        "# warm-standby: the warm-up script runs verbatim as a script block with the service list.",
        "try {",
        "& {",
        "param([string[]]$Services)",
        "Write-Host $Services",
        "} -Services @('AcmeLicense', 'Acme Server')",
        "} catch {",
        "[Console]::Error.WriteLine('FAILED: the warm-up script stopped on an error: ' + $_ + ' ' + $_.InvocationInfo.PositionMessage)",
        "exit 1",
        "}",
        "</powershell>",
        "<persist>false</persist>",
        "",
      ].join("\n"),
    );
  });

  it("embeds scripts/warmup.ps1 verbatim, every line in order, and the result lexes cleanly", () => {
    const userData = warmupUserData({ script: warmupScript, services: ["AcmeServer"] });
    const lines = userData.split("\n");
    const fileLines = warmupScript.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
    assert.ok(fileLines.length > 100, "the real script, not a stub");
    const open = lines.indexOf("& {");
    assert.deepEqual(lines.slice(open + 1, open + 1 + fileLines.length), fileLines);
    assert.equal(lines[open + 1 + fileLines.length], "} -Services @('AcmeServer')");

    const powershell = userData.slice("<powershell>\n".length, userData.indexOf("</powershell>"));
    assert.deepEqual(lexPowerShell(powershell).problems, []);
  });

  it("passes no services as an empty array", () => {
    const userData = warmupUserData({ script: "exit 0", services: [] });
    assert.equal(invocationLine(userData), "} -Services @()");
  });

  it("escapes a single quote in a service name by doubling it", () => {
    const userData = warmupUserData({
      script: "exit 0",
      services: ["O'Brien Service", "MSSQL$ACME"],
    });
    assert.equal(invocationLine(userData), "} -Services @('O''Brien Service', 'MSSQL$ACME')");
  });

  it("doubles the typographic single quotes too, which PowerShell also ends a literal with", () => {
    assert.equal(
      singleQuoted("a\u2019b\u2018c\u201Ad\u201Be"),
      "'a\u2019\u2019b\u2018\u2018c\u201A\u201Ad\u201B\u201Be'",
    );
  });

  it("keeps any service name data: the list is N string literals and no code, whatever they hold", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary" }), { maxLength: 5 }), (services) => {
        const lexed = lexPowerShell(invocationLine(warmupUserData({ script: "exit 0", services })));
        assert.deepEqual(lexed.problems, ["line 1: } does not close anything open"]);
        assert.equal(lexed.skeleton, `} -Services @(${services.map(() => "''").join(", ")})`);
        assert.deepEqual(
          lexed.strings.map((literal) => literal.replace(/(['\u2018\u2019\u201A\u201B])\1/g, "$1")),
          services,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("refuses an empty script and a using statement", () => {
    assert.throws(() => warmupUserData({ script: "\n \n", services: [] }), {
      message: "warm-up user data: the warm-up script is empty",
    });
    assert.throws(() => warmupUserData({ script: "  using module Acme\nexit 0", services: [] }), {
      message:
        'warm-up user data: the warm-up script holds "using module Acme", which ' +
        "PowerShell rejects inside the script block that runs it; use full type names instead",
    });
  });

  it("refuses user data above EC2's 16 KB limit and leaves the real script room", () => {
    const script = `Write-Host '${"x".repeat(MAX_USER_DATA_BYTES)}'`;
    assert.throws(
      () => warmupUserData({ script, services: [] }),
      /^Error: warm-up user data: \d+ bytes exceed EC2's 16384-byte limit; shorten the warm-up script$/,
    );
    const real = warmupUserData({ script: warmupScript, services: ["AcmeLicense", "AcmeServer"] });
    assert.ok(Buffer.byteLength(real, "utf8") < MAX_USER_DATA_BYTES, "the real warm-up fits");
  });
});
