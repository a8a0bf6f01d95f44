import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import {
  activationDocumentContent,
  MAX_DOCUMENT_BYTES,
  MAX_SERVICE_NAME_LENGTH,
  PORT_ALLOWED_PATTERN,
  scriptLines,
  SERVICE_NAME_PATTERN,
  SERVICES_ALLOWED_PATTERN,
} from "../../components/activationDocument";
import { lexPowerShell } from "./powershellLexer";

const activateScript = readFileSync(join(__dirname, "../../scripts/activate.ps1"), "utf8");

type Step = {
  action: string;
  name: string;
  inputs: { timeoutSeconds: number; runCommand: string[] };
};
const stepOf = (document: Record<string, unknown>): Step => (document.mainSteps as Step[])[0];
const runCommandOf = (document: Record<string, unknown>): string[] =>
  stepOf(document).inputs.runCommand;

/** The lines between "& {" and the line that closes the block and passes the arguments. */
function embeddedScript(runCommand: string[]): string[] {
  const open = runCommand.indexOf("& {");
  const close = runCommand.findIndex((line, index) => index > open && line.startsWith("} -"));
  assert.ok(open >= 0 && close > open, "the script block is opened and closed");
  return runCommand.slice(open + 1, close);
}

/** What the agent does before it writes _script.ps1: text substitution of {{ name }}. */
function substitute(runCommand: string[], values: Record<string, string>): string {
  return runCommand
    .join("\n")
    .replace(/\{\{\s*(\w+)\s*\}\}/g, (_match, name: string) => values[name] ?? "");
}

const realDocument = () =>
  activationDocumentContent({
    script: activateScript,
    services: ["AcmeLicense", "Acme Server"],
    applicationPort: 8443,
    timeoutSeconds: 600,
  });

describe("activation document", () => {
  it("has the exact shape: schema 2.2, two validated String parameters, one PowerShell step", () => {
    const document = activationDocumentContent({
      script: "param([string[]]$Services)\nWrite-Host $Services\n",
      services: ["AppSvc", "Acme License Server"],
      applicationPort: 8443,
      timeoutSeconds: 600,
    });
    assert.deepEqual(document, {
      schemaVersion: "2.2",
      description:
        "warm-standby: turns a warm (passive) instance into the active one. Starts the " +
        "application's Windows services, waits until they run and the application port " +
        "listens, and fails (non-zero exit) with a message naming what did not come up.",
      parameters: {
        services: {
          type: "String",
          description:
            "Comma-separated Windows service names to start, in order (letters, digits, " +
            "space, _ . - $).",
          default: "AppSvc,Acme License Server",
          allowedPattern: "^[A-Za-z0-9 _.$,-]*$",
        },
        applicationPort: {
          type: "String",
          description: "TCP port that must listen locally before activation succeeds (0: none).",
          default: "8443",
          allowedPattern: "^[0-9]{1,5}$",
        },
      },
      mainSteps: [
        {
          action: "aws:runPowerShellScript",
          name: "activate",
          inputs: {
            timeoutSeconds: 600,
            runCommand: [
              "# warm-standby: the activation script runs verbatim as a script block with its parameters.",
              "try {",
              "& {",
              "param([string[]]$Services)",
              "Write-Host $Services",
              "} -Services @('{{ services }}' -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ }) -ApplicationPort '{{ applicationPort }}' -TimeoutSeconds 570",
              "} catch {",
              "[Console]::Error.WriteLine('FAILED: the activation script stopped on an error: ' + $_ + ' ' + $_.InvocationInfo.PositionMessage)",
              "exit 1",
              "}",
              "exit $LASTEXITCODE",
            ],
          },
        },
      ],
    });
  });

  it("embeds scripts/activate.ps1 verbatim, every line in order", () => {
    const embedded = embeddedScript(runCommandOf(realDocument()));
    const fileLines = activateScript.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
    assert.ok(fileLines.length > 100, "the real script, not a stub");
    assert.deepEqual(embedded, fileLines);
  });

  it("normalises CRLF, a byte-order mark and the final newline, nothing else", () => {
    const script = "\uFEFFparam([int]$ApplicationPort)\r\n  Write-Host 'a'  \r\n\r\n# end\r\n";
    assert.deepEqual(scriptLines(script), [
      "param([int]$ApplicationPort)",
      "  Write-Host 'a'  ",
      "",
      "# end",
    ]);
    const document = activationDocumentContent({
      script,
      services: [],
      applicationPort: 0,
      timeoutSeconds: 600,
    });
    assert.deepEqual(embeddedScript(runCommandOf(document)), scriptLines(script));
  });

  it("keeps a script without a param block intact: its code is untouched and still closed", () => {
    // PowerShell binds named arguments of a script block without param block to $args, so the
    // invocation below runs it; what can be proven here is that the wrapping leaves it whole.
    const script = "Start-Service -Name 'AcmeServer'\nexit 0";
    const runCommand = runCommandOf(
      activationDocumentContent({ script, services: [], applicationPort: 0, timeoutSeconds: 600 }),
    );
    assert.deepEqual(embeddedScript(runCommand), ["Start-Service -Name 'AcmeServer'", "exit 0"]);
    assert.deepEqual(lexPowerShell(runCommand.join("\n")).problems, []);
  });

  it("sets parameter defaults from the options: services joined by commas, port as a string", () => {
    const document = activationDocumentContent({
      script: "exit 0",
      services: ["MSSQL$SQLEXPRESS", "W3SVC"],
      applicationPort: 1433,
      timeoutSeconds: 600,
    });
    const parameters = document.parameters as Record<string, { default: string }>;
    assert.equal(parameters.services.default, "MSSQL$SQLEXPRESS,W3SVC");
    assert.equal(parameters.applicationPort.default, "1433");

    const none = activationDocumentContent({
      script: "exit 0",
      services: [],
      applicationPort: 0,
      timeoutSeconds: 600,
    });
    const noneParameters = none.parameters as Record<string, { default: string }>;
    assert.equal(noneParameters.services.default, "");
    assert.equal(noneParameters.applicationPort.default, "0");
    assert.match(
      "",
      new RegExp(SERVICES_ALLOWED_PATTERN),
      "the empty default passes its own pattern",
    );
  });

  it("any accepted service list makes a default that passes allowedPattern and splits back whole", () => {
    const serviceName = fc
      .stringMatching(SERVICE_NAME_PATTERN)
      .filter((name) => name.length <= MAX_SERVICE_NAME_LENGTH);
    fc.assert(
      fc.property(fc.array(serviceName, { maxLength: 6 }), (services) => {
        const document = activationDocumentContent({
          script: "exit 0",
          services,
          applicationPort: 0,
          timeoutSeconds: 600,
        });
        const value = (document.parameters as Record<string, { default: string }>).services.default;
        assert.match(value, new RegExp(SERVICES_ALLOWED_PATTERN));
        // What the invocation does on the instance: -split ',', Trim(), drop the blanks.
        const onInstance = value
          .split(",")
          .map((name) => name.trim())
          .filter((name) => name !== "");
        assert.deepEqual(onInstance, services);
      }),
      { numRuns: 200 },
    );
  });

  it("gives the script the step timeout less 30 s, and SSM the step timeout itself", () => {
    for (const [step, script] of [
      [600, 570],
      [31, 1],
      [900, 870],
      [172_800, 172_770],
    ]) {
      const document = activationDocumentContent({
        script: "exit 0",
        services: [],
        applicationPort: 0,
        timeoutSeconds: step,
      });
      assert.equal(stepOf(document).inputs.timeoutSeconds, step);
      assert.match(runCommandOf(document).join("\n"), new RegExp(` -TimeoutSeconds ${script}\\n`));
    }
  });

  it("refuses timeouts the script could not use, naming the value and the range", () => {
    for (const timeoutSeconds of [30, 0, -5, 90.5, 172_801, Number.NaN]) {
      assert.throws(
        () =>
          activationDocumentContent({
            script: "exit 0",
            services: [],
            applicationPort: 0,
            timeoutSeconds,
          }),
        {
          message:
            `activation document: timeoutSeconds ${timeoutSeconds} must be an integer from 31 to ` +
            `172800 (the script gets 30 s less than the SSM step)`,
        },
      );
    }
  });

  describe("services allowedPattern", () => {
    const pattern = new RegExp(SERVICES_ALLOWED_PATTERN);

    it("accepts real service names and lists of them, spaces included", () => {
      for (const value of [
        "AmazonSSMAgent",
        "W3SVC",
        "MSSQL$SQLEXPRESS",
        "Apache2.4",
        "acme_app-svc",
        "Acme License Server",
        "AcmeLicense,Acme Server,MSSQL$ACME",
        "AcmeLicense, AcmeServer",
        "",
      ]) {
        assert.match(value, pattern, value);
      }
    });

    it("rejects every character that could leave the single-quoted literal or start code", () => {
      for (const value of [
        "a';Remove-Item C:\\ -Recurse;'",
        "$(evil)",
        "a`b",
        "`$(evil)",
        "a\nb",
        "a\r\nb",
        "a\n",
        "a\u2019;evil;\u2019",
        "a;b",
        "a|b",
        "a&b",
        "a>b",
        'a"b',
        "{evil}",
        "@(evil)",
        "a\tb",
        "Ünïcode",
      ]) {
        assert.doesNotMatch(value, pattern, JSON.stringify(value));
      }
    });
  });

  describe("applicationPort allowedPattern", () => {
    const pattern = new RegExp(PORT_ALLOWED_PATTERN);

    it("accepts 1 to 5 digits only", () => {
      for (const value of ["0", "80", "8443", "65535"]) assert.match(value, pattern);
      for (const value of ["", "123456", "80;evil", "$(1)", "8 0", "-1", "80\n", "0x50", "８０"]) {
        assert.doesNotMatch(value, pattern, JSON.stringify(value));
      }
    });
  });

  describe("parameter substitution cannot inject PowerShell", () => {
    const runCommand = runCommandOf(realDocument());
    const template = lexPowerShell(substitute(runCommand, {}));

    it("places both parameters inside single-quoted literals", () => {
      const invocation = runCommand.find((line) => line.startsWith("} -Services"));
      assert.ok(invocation);
      assert.match(invocation, /@\('\{\{ services \}\}' -split ','/);
      assert.match(invocation, / -ApplicationPort '\{\{ applicationPort \}\}' /);
      assert.deepEqual(template.problems, []);
    });

    it("any value the patterns allow changes only string contents, never code", () => {
      fc.assert(
        fc.property(
          fc.stringMatching(new RegExp(SERVICES_ALLOWED_PATTERN)),
          fc.stringMatching(new RegExp(PORT_ALLOWED_PATTERN)),
          (services, applicationPort) => {
            const lexed = lexPowerShell(substitute(runCommand, { services, applicationPort }));
            assert.equal(lexed.skeleton, template.skeleton);
            assert.ok(lexed.strings.includes(services));
            assert.ok(lexed.strings.includes(applicationPort));
          },
        ),
        { numRuns: 200 },
      );
    });

    it("the injection attempts the pattern rejects would have changed the code", () => {
      // Shows the property above has teeth: these values are dangerous without allowedPattern.
      for (const services of ["a';Remove-Item C:\\ -Recurse;'", "a\u2019;evil;\u2019"]) {
        const lexed = lexPowerShell(substitute(runCommand, { services, applicationPort: "80" }));
        assert.notEqual(lexed.skeleton, template.skeleton, services);
      }
    });
  });

  describe("refuses what SSM or PowerShell would reject later, with one message", () => {
    it("names every bad service name, the port and the timeout together", () => {
      assert.throws(
        () =>
          activationDocumentContent({
            script: "exit 0",
            services: ["Good", " padded", "evil';x;'", "x".repeat(257)],
            applicationPort: 70000,
            timeoutSeconds: 20,
          }),
        {
          message:
            "activation document: " +
            [" padded", "evil';x;'", "x".repeat(257)]
              .map(
                (name) =>
                  `service name ${JSON.stringify(name)} is not accepted: use the service's name ` +
                  `(not its display name), at most 256 characters of letters, digits, _ . - $ ` +
                  `and inner spaces`,
              )
              .join("; ") +
            "; applicationPort 70000 must be an integer from 0 (do not wait) to 65535" +
            "; timeoutSeconds 20 must be an integer from 31 to 172800 (the script gets 30 s less " +
            "than the SSM step)",
        },
      );
    });

    it("refuses an empty script", () => {
      assert.throws(
        () =>
          activationDocumentContent({
            script: " \n\t",
            services: [],
            applicationPort: 0,
            timeoutSeconds: 600,
          }),
        { message: "activation document: the activation script is empty" },
      );
    });

    it("refuses a script holding an SSM placeholder and a using statement", () => {
      assert.throws(
        () =>
          activationDocumentContent({
            script: "using namespace System.IO\nWrite-Host '{{ secret }}'",
            services: [],
            applicationPort: 0,
            timeoutSeconds: 600,
          }),
        {
          message:
            'activation document: the activation script contains "{{ secret }}", which SSM ' +
            'would treat as a document parameter; write it differently (e.g. "{" + "{"); the ' +
            'activation script holds "using namespace System.IO", which PowerShell ' +
            "rejects inside the script block that runs it; use full type names instead",
        },
      );
    });

    it("refuses content above SSM's 64 KB document limit", () => {
      const script = `Write-Host '${"x".repeat(MAX_DOCUMENT_BYTES)}'`;
      assert.throws(
        () =>
          activationDocumentContent({
            script,
            services: [],
            applicationPort: 0,
            timeoutSeconds: 600,
          }),
        /^Error: activation document: \d+ bytes exceed SSM's 65536-byte limit; shorten the activation script$/,
      );
    });

    it("accepts the real script with room to spare under the size limit", () => {
      const bytes = Buffer.byteLength(JSON.stringify(realDocument()), "utf8");
      assert.ok(bytes < MAX_DOCUMENT_BYTES / 2, `${bytes} bytes`);
    });
  });
});
