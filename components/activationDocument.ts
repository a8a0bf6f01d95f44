/**
 * Builds the content of the SSM Command document that activates a warm instance: the activation
 * script (scripts/activate.ps1 or the user's own file) run verbatim by aws:runPowerShellScript.
 *
 * How the agent runs it (amazon-ssm-agent, runscript plugin): the runCommand lines are joined with
 * newlines into _script.ps1 and run with `powershell.exe -NoProfile -ExecutionPolicy Unrestricted
 * -f _script.ps1`; the process exit code decides Success (0) or Failed. Parameters are substituted
 * as text wherever `{{ name }}` appears before the file is written, so the only defence against
 * injection is where the value lands (inside a single-quoted literal) plus allowedPattern, which
 * the service checks on every SendCommand. (interpolationType ENV_VAR would be stronger but needs
 * SSM Agent 3.3.2746.0 or later, which an older golden AMI may not have.)
 */

/** Seconds the script's own deadline leaves before SSM's step timeout, so that the script fails
 * with its own message (which service, which port, what it saw) instead of being killed. */
export const SCRIPT_TIMEOUT_MARGIN_SECONDS = 30;

/** SSM's maximum executionTimeout for aws:runPowerShellScript (48 hours). */
export const MAX_STEP_TIMEOUT_SECONDS = 172_800;

/** CreateDocument refuses content above 64 KB (MaxDocumentSizeExceeded). */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

/**
 * One Windows service name as this project accepts it. Windows allows almost any character in a
 * service (key) name, but the names of real services are letters, digits, `_ . -`, spaces (some
 * legacy services have them, e.g. "Acme License Server") and `$` (SQL Server named instances:
 * MSSQL$SQLEXPRESS). None of these can end a single-quoted PowerShell literal or start an
 * expression inside one, which is what keeps the Run Command parameter safe. No leading or
 * trailing space: the document trims each name, and the name must survive that unchanged.
 */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9_.$-]+(?: +[A-Za-z0-9_.$-]+)*$/;

/** Windows limits a service name to 256 characters. */
export const MAX_SERVICE_NAME_LENGTH = 256;

/** allowedPattern of the `services` parameter: service-name characters and commas, or nothing.
 * Plain ASCII classes and ^...$, the form AWS's own documents use, understood alike by every
 * regular-expression flavour the service might use. */
export const SERVICES_ALLOWED_PATTERN = "^[A-Za-z0-9 _.$,-]*$";

/** allowedPattern of the `applicationPort` parameter: 1 to 5 digits. */
export const PORT_ALLOWED_PATTERN = "^[0-9]{1,5}$";

/** Name of the document's only step; SSM reports step output under it. */
export const ACTIVATION_STEP_NAME = "activate";

export interface ActivationDocumentOptions {
  /** Text of the activation script (normally the content of scripts/activate.ps1). */
  script: string;
  /** Windows service names the script starts; the default of the `services` parameter. */
  services: string[];
  /** Port the script waits for (0: do not wait); the default of `applicationPort`. */
  applicationPort: number;
  /** SSM step timeout; the script's own deadline is this minus SCRIPT_TIMEOUT_MARGIN_SECONDS. */
  timeoutSeconds: number;
}

type ActivationDocument = {
  schemaVersion: "2.2";
  description: string;
  parameters: Record<string, DocumentParameter>;
  mainSteps: {
    action: "aws:runPowerShellScript";
    name: string;
    inputs: { timeoutSeconds: number; runCommand: string[] };
  }[];
};

type DocumentParameter = {
  type: "String";
  description: string;
  default: string;
  allowedPattern: string;
};

/**
 * The document content, ready for `aws.ssm.Document({ documentType: "Command", documentFormat:
 * "JSON", content: JSON.stringify(...) })`. Throws one error naming every bad option.
 *
 * No `precondition` on platformType on purpose: on a non-Windows instance a skipped step reports
 * Success, and the reconciler would take a failed activation for a good one.
 */
export function activationDocumentContent(o: ActivationDocumentOptions): Record<string, unknown> {
  const problems = [
    ...scriptProblems(o.script),
    ...o.services.flatMap(serviceNameProblems),
    ...portProblems(o.applicationPort),
    ...timeoutProblems(o.timeoutSeconds),
  ];
  if (problems.length > 0) throw new Error(`activation document: ${problems.join("; ")}`);

  const document: ActivationDocument = {
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
        default: o.services.join(","),
        allowedPattern: SERVICES_ALLOWED_PATTERN,
      },
      applicationPort: {
        type: "String",
        description: "TCP port that must listen locally before activation succeeds (0: none).",
        default: String(o.applicationPort),
        allowedPattern: PORT_ALLOWED_PATTERN,
      },
    },
    mainSteps: [
      {
        action: "aws:runPowerShellScript",
        name: ACTIVATION_STEP_NAME,
        inputs: {
          timeoutSeconds: o.timeoutSeconds,
          runCommand: activationRunCommand(o.script, scriptTimeoutSeconds(o.timeoutSeconds)),
        },
      },
    ],
  };

  const bytes = Buffer.byteLength(JSON.stringify(document), "utf8");
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new Error(
      `activation document: ${bytes} bytes exceed SSM's ${MAX_DOCUMENT_BYTES}-byte limit; ` +
        `shorten the activation script`,
    );
  }
  return document;
}

/** The deadline handed to the script: the step timeout less the margin. */
export function scriptTimeoutSeconds(stepTimeoutSeconds: number): number {
  return stepTimeoutSeconds - SCRIPT_TIMEOUT_MARGIN_SECONDS;
}

/**
 * The step's lines: the script run by runAsScriptBlock with the document's parameters, both
 * inside single quotes so that even a value that slipped past allowedPattern stays a string. The
 * service list is split, trimmed and emptied of blanks here; the script's [int] parameter
 * converts the port. A script that ends without `exit` reports $LASTEXITCODE (null, so 0,
 * unless its last native command failed): the convention of AWS-RunPowerShellScript.
 */
function activationRunCommand(script: string, scriptTimeout: number): string[] {
  return [
    "# warm-standby: the activation script runs verbatim as a script block with its parameters.",
    ...runAsScriptBlock(
      script,
      "-Services @('{{ services }}' -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ }) " +
        `-ApplicationPort '{{ applicationPort }}' -TimeoutSeconds ${scriptTimeout}`,
      "the activation script",
    ),
    "exit $LASTEXITCODE",
  ];
}

function scriptProblems(script: string): string[] {
  if (script.trim() === "") return ["the activation script is empty"];
  const problems: string[] = [];
  // SSM would substitute (or reject as undeclared) any {{ name }} in the script text itself.
  const placeholder = /\{\{\s*[\w:./-]+\s*\}\}/.exec(script);
  if (placeholder) {
    problems.push(
      `the activation script contains "${placeholder[0]}", which SSM would treat as a document ` +
        `parameter; write it differently (e.g. "{" + "{")`,
    );
  }
  const using = usingStatement(script);
  if (using) {
    problems.push(
      `the activation script holds "${using}", which PowerShell rejects inside the script ` +
        `block that runs it; use full type names instead`,
    );
  }
  return problems;
}

function serviceNameProblems(name: string): string[] {
  if (SERVICE_NAME_PATTERN.test(name) && name.length <= MAX_SERVICE_NAME_LENGTH) return [];
  return [
    `service name ${JSON.stringify(name)} is not accepted: use the service's name (not its ` +
      `display name), at most ${MAX_SERVICE_NAME_LENGTH} characters of letters, digits, ` +
      `_ . - $ and inner spaces`,
  ];
}

function portProblems(port: number): string[] {
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return [];
  return [`applicationPort ${port} must be an integer from 0 (do not wait) to 65535`];
}

function timeoutProblems(timeout: number): string[] {
  const min = SCRIPT_TIMEOUT_MARGIN_SECONDS + 1;
  if (Number.isInteger(timeout) && timeout >= min && timeout <= MAX_STEP_TIMEOUT_SECONDS) return [];
  return [
    `timeoutSeconds ${timeout} must be an integer from ${min} to ${MAX_STEP_TIMEOUT_SECONDS} ` +
      `(the script gets ${SCRIPT_TIMEOUT_MARGIN_SECONDS} s less than the SSM step)`,
  ];
}

/**
 * Lines that run `script` verbatim as `& { <script> } <argumentText>`, so that its param block
 * (and the comment-based help before it) receives the arguments; a script without a param block
 * runs too, the arguments then land unused in $args. `exit` inside the script ends the whole
 * file with its code (exit is not an exception: catch does not see it). The try/catch turns
 * what PowerShell would otherwise report and step over (a parameter binding error, or an error
 * that ends a statement inside the script) into a message and exit code 1: a half-done
 * activation or warm-up must not look like a success. A script that wants to tolerate an error
 * catches it itself. `what` names the script in that message (plain text, no quotes).
 */
export function runAsScriptBlock(script: string, argumentText: string, what: string): string[] {
  return [
    "try {",
    "& {",
    ...scriptLines(script),
    `} ${argumentText}`,
    "} catch {",
    `[Console]::Error.WriteLine('FAILED: ${what} stopped on an error: ' + $_ + ' ' + $_.InvocationInfo.PositionMessage)`,
    "exit 1",
    "}",
  ];
}

/**
 * The script's lines as written: the byte-order mark that Windows editors put in front is
 * dropped, CRLF becomes LF, and the newline that ends the last line does not add an empty line.
 */
export function scriptLines(script: string): string[] {
  const lines = script.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * The first `using namespace|module|assembly` statement of a script, if any. Such statements
 * must open a script file; inside a script block (how both the document and the user data run
 * a script) PowerShell rejects them (UsingMustBeAtStartOfScript).
 */
export function usingStatement(script: string): string | undefined {
  return /^[ \t]*using[ \t]+(?:namespace|module|assembly)\b.*$/im.exec(script)?.[0].trim();
}

/**
 * A PowerShell single-quoted literal holding `value` exactly. PowerShell ends a single-quoted
 * string at ' and at the typographic quotes U+2018..U+201B too; doubling any of them is the
 * language's own escape (CodeGeneration.EscapeSingleQuotedStringContent). Nothing else is
 * special inside single quotes: no `$` expansion, no backtick escapes, newlines are literal.
 */
export function singleQuoted(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, "$&$&")}'`;
}
