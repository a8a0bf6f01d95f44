import { strict as assert } from "node:assert";
import { activationDocumentContent } from "../../components/activationDocument";
import { warmupUserData } from "../../components/userData";
import { readScript } from "./scriptFile";

// No PowerShell runs here (no pwsh on this machine, none in Debian): these are static checks of
// the real files, on code located by the test lexer, so that comments cannot satisfy or trip them.

/** The named arguments a builder passes to the script block it generates. */
function passedArguments(generated: string): string[] {
  const invocation = generated.split("\n").find((line) => line.startsWith("} -"));
  assert.ok(invocation);
  return [...invocation.replace(/'[^']*'/g, "''").matchAll(/ -([A-Z]\w+)/g)].map((m) => m[1]);
}

/** Each call of `command` in code, with the rest of its line. */
const calls = (code: string, command: string) =>
  [...code.matchAll(new RegExp(`${command}\\b[^\\n]*`, "g"))].map((m) => m[0].trim());

describe("both scripts", () => {
  it("are plain ASCII: Windows PowerShell 5.1 reads a file without byte-order mark in the ANSI code page", () => {
    // The agent and EC2Launch write the text they are given to a .ps1 file; any non-ASCII
    // character (a typographic quote in a message, say) could come out garbled, or as a quote.
    for (const name of ["activate.ps1", "warmup.ps1"]) {
      const text = readScript(name).text;
      const wide = [...text].filter((character) => character.charCodeAt(0) > 0x7f);
      assert.deepEqual(wide, [], name);
    }
  });
});

describe("scripts/activate.ps1", () => {
  const script = readScript("activate.ps1");

  it("lexes cleanly: every bracket, string and comment closes", () => {
    assert.deepEqual(script.lexed.problems, []);
  });

  it("has comment-based help with synopsis, every parameter and an example", () => {
    for (const section of [
      ".SYNOPSIS",
      ".DESCRIPTION",
      ".PARAMETER Services",
      ".PARAMETER ApplicationPort",
      ".PARAMETER TimeoutSeconds",
      ".EXAMPLE",
    ]) {
      assert.match(script.help, new RegExp(`^${section.replace(".", "\\.")}\\b`, "m"), section);
    }
  });

  it("declares the three parameters with their types and defaults, first thing after the help", () => {
    assert.deepEqual(script.parameters, [
      "[string[]]$Services = @()",
      "[ValidateRange(0, 65535)][int]$ApplicationPort = 0",
      "[ValidateRange(1, 172800)][int]$TimeoutSeconds = 540",
    ]);
  });

  it("declares exactly the arguments the SSM document passes", () => {
    const document = activationDocumentContent({
      script: script.text,
      services: [],
      applicationPort: 0,
      timeoutSeconds: 600,
    });
    const runCommand = (document.mainSteps as { inputs: { runCommand: string[] } }[])[0].inputs
      .runCommand;
    assert.deepEqual(passedArguments(runCommand.join("\n")), script.parameterNames);
  });

  it("sets $ErrorActionPreference = 'Stop' as its first statement", () => {
    assert.match(script.body, /^\s*\$ErrorActionPreference = 'Stop'\n/);
  });

  it("has one failure exit: Stop-Activation writes to stderr and exits 1", () => {
    const exits = [...script.body.matchAll(/\bexit\b[^\n]*/g)].map((m) => m[0].trim());
    assert.deepEqual(
      exits.filter((statement) => statement !== "exit 0"),
      ["exit 1"],
    );
    const stop = script.functionBody("Stop-Activation");
    assert.match(stop, /\[Console\]::Error\.WriteLine\("ACTIVATION FAILED after /);
    assert.match(stop, /\n\s*exit 1\n/);
  });

  it("fails every path through Stop-Activation with a message naming the service or port", () => {
    const messages = calls(script.body, "Stop-Activation")
      .filter((call) => !call.startsWith("Stop-Activation(")) // the definition's own line
      .map((call) => call.replace(/^Stop-Activation\s*\(?\s*/, ""));
    for (const expected of [
      "\"service '$name' was still StopPending at the deadline",
      "\"service '$name' could not be started: ",
      "\"service '$name' stopped while starting (last status: Stopped)",
      "\"service '$name' did not reach Running within $TimeoutSeconds s (last status: $status)",
      "\"service '$($service.Name)' left Running (status: $($service.Status)) while waiting for port $Port",
      '"port $Port did not listen within $TimeoutSeconds s',
      '"unexpected error: ',
    ]) {
      assert.ok(
        messages.some((message) => message.startsWith(expected)),
        `a failure message starting ${expected}`,
      );
    }
    // The missing-service message spans lines; it names the service too.
    assert.match(
      script.functionBody("Get-ServiceOrFail"),
      /Stop-Activation \("service '\$Name' does not exist on this instance/,
    );
    for (const message of messages.filter((m) => m !== "")) {
      assert.match(message, /service '|port \$Port|^"unexpected error/, message);
    }
  });

  it("routes any unexpected error of the main block to Stop-Activation", () => {
    assert.match(script.body, /\n\} catch \{\s+Stop-Activation "unexpected error: /);
  });

  it("waits for a listening socket with Get-NetTCPConnection, TcpClient as fallback", () => {
    const listeners = script.functionBody("Get-PortListeners");
    assert.match(listeners, /Get-NetTCPConnection -State Listen -LocalPort \$Port/);
    assert.match(listeners, /BeginConnect\('127\.0\.0\.1', \$Port/);
  });

  it("keeps services Manual (never Automatic), so a reboot never starts the application", () => {
    assert.deepEqual(calls(script.body, "Set-Service"), [
      "Set-Service -Name $Service.Name -StartupType Manual",
    ]);
    assert.doesNotMatch(script.text, /StartupType Automatic/);
  });

  it("holds no {{ }} that SSM would substitute", () => {
    assert.doesNotMatch(script.text, /\{\{|\}\}/);
  });
});

describe("scripts/warmup.ps1", () => {
  const script = readScript("warmup.ps1");

  it("lexes cleanly: every bracket, string and comment closes", () => {
    assert.deepEqual(script.lexed.problems, []);
  });

  it("has comment-based help and declares the service list the user data passes", () => {
    for (const section of [
      ".SYNOPSIS",
      ".PARAMETER Services",
      ".PARAMETER PrewarmPath",
      ".EXAMPLE",
    ]) {
      assert.match(script.help, new RegExp(`^${section.replace(".", "\\.")}\\b`, "m"), section);
    }
    assert.equal(script.parameters[0], "[string[]]$Services = @()");
    const userData = warmupUserData({ script: script.text, services: ["AcmeServer"] });
    for (const argument of passedArguments(userData)) {
      assert.ok(script.parameterNames.includes(argument), argument);
    }
  });

  it("sets $ErrorActionPreference = 'Stop' as its first statement", () => {
    assert.match(script.body, /^\s*\$ErrorActionPreference = 'Stop'\n/);
  });

  it("never starts an application service: Start-Service only for the SSM agent, nothing else starts", () => {
    assert.deepEqual(calls(script.body, "Start-Service"), ["Start-Service -Name 'AmazonSSMAgent'"]);
    for (const starter of [
      /\.Start\(/,
      /\.Continue\(/,
      /Restart-Service/,
      /Resume-Service/,
      /-Status Running/,
      /\bnet(\.exe)? start\b/i,
      /\bsc(\.exe)? start\b/i,
      /Start-Process/,
      /Invoke-Item/,
      /Invoke-Expression|\biex\b/,
      /Start-ScheduledTask/,
    ]) {
      assert.doesNotMatch(script.body, starter, String(starter));
    }
  });

  it("sets only the agent Automatic, the application services Manual, and stops them if running", () => {
    assert.match(script.body, /\$ssmAgentServiceName = 'AmazonSSMAgent'\n/);
    assert.deepEqual(calls(script.body, "Set-Service"), [
      "Set-Service -Name $service.Name -StartupType Manual",
      "Set-Service -Name $ssmAgentServiceName -StartupType Automatic",
    ]);
    const passive = script.functionBody("Set-ApplicationPassive");
    assert.match(passive, /Set-Service -Name \$service\.Name -StartupType Manual/);
    assert.match(
      passive,
      /if \(\$service\.Status -ne 'Stopped'\) \{[\s\S]*Stop-Service -Name \$service\.Name -Force/,
    );
    assert.match(script.functionBody("Set-AgentRunning"), /WaitForStatus\('Running'/);
  });

  it("runs every step guarded, agent after the application services, marker last", () => {
    const steps = [
      /foreach \(\$name in \$names\) \{\s+try \{ Set-ApplicationPassive -Name \$name \} catch \{ Add-Failure /,
      /try \{ Set-AgentRunning \} catch \{ Add-Failure /,
      /try \{ Read-PrewarmFiles [^\n]*\} catch \{ Add-Failure 'pre-warm' \$_ \}/,
      /try \{ Write-WarmMarker -Names \$names \} catch \{ Add-Failure 'marker' \$_ \}/,
    ].map((step) => script.body.search(step));
    assert.ok(
      steps.every((at) => at >= 0),
      `every step found: ${steps}`,
    );
    assert.deepEqual(
      [...steps].sort((a, b) => a - b),
      steps,
      "in this order",
    );
    assert.match(script.functionBody("Add-Failure"), /Write-Log "ERROR \$text"/);
  });

  it("pre-warms by reading only, opening files for Read", () => {
    const prewarm = script.functionBody("Read-PrewarmFiles");
    assert.match(
      prewarm,
      /\[System\.IO\.File\]::Open\(\$file\.FullName, 'Open', 'Read', 'ReadWrite'\)/,
    );
    assert.doesNotMatch(
      prewarm,
      /\.Write\(|Set-Content|Out-File|Remove-|Copy-|Move-|Rename-|&\s*\$|\bStart-/,
    );
    assert.deepEqual(calls(prewarm, "::Open"), [
      "::Open($file.FullName, 'Open', 'Read', 'ReadWrite')",
    ]);
  });

  it("leaves a marker file and an event-log entry saying the instance is warm", () => {
    const marker = script.functionBody("Write-WarmMarker");
    assert.match(
      marker,
      /\$state = if \(\$failures\.Count -eq 0\) \{ 'warm' \} else \{ 'warm-with-errors' \}/,
    );
    assert.match(marker, /Set-Content -Path \(Join-Path \$StateDirectory 'warm\.json'\)/);
    assert.match(marker, /Write-EventLog -LogName Application -Source \$eventSource/);
  });

  it("holds no {{ }}", () => {
    assert.doesNotMatch(script.text, /\{\{|\}\}/);
  });
});
