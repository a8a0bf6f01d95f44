/**
 * Builds the EC2 user data that runs scripts/warmup.ps1 once, at the first boot of an instance
 * from the golden AMI (EC2Launch v2 / EC2Launch / EC2Config all read the <powershell> block).
 */
import { runAsScriptBlock, singleQuoted, usingStatement } from "./activationDocument";

/** EC2 refuses user data above 16 KB in raw form, before base64 encoding. */
export const MAX_USER_DATA_BYTES = 16 * 1024;

export interface WarmupUserDataOptions {
  /** Text of the warm-up script (the content of scripts/warmup.ps1). */
  script: string;
  /** The application's Windows services, kept from starting until activation. */
  services: string[];
}

/**
 * Plain-text user data (the launch template wants it base64-encoded: the caller encodes).
 *
 * The script runs verbatim as a script block (runAsScriptBlock) so that its own param block
 * receives the service list, passed as a PowerShell array of single-quoted, escaped literals: a
 * name is data, whatever characters it holds. `<persist>false</persist>` says explicitly what
 * the agents do by default: run once, never again at a later boot (a reboot must not redo the
 * warm-up of an instance that may be active by then).
 */
export function warmupUserData(o: WarmupUserDataOptions): string {
  if (o.script.trim() === "") throw new Error("warm-up user data: the warm-up script is empty");
  const using = usingStatement(o.script);
  if (using) {
    throw new Error(
      `warm-up user data: the warm-up script holds "${using}", which PowerShell rejects ` +
        `inside the script block that runs it; use full type names instead`,
    );
  }

  const text = [
    "<powershell>",
    "# warm-standby: the warm-up script runs verbatim as a script block with the service list.",
    ...runAsScriptBlock(
      o.script,
      `-Services @(${o.services.map(singleQuoted).join(", ")})`,
      "the warm-up script",
    ),
    "</powershell>",
    "<persist>false</persist>",
    "",
  ].join("\n");

  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_USER_DATA_BYTES) {
    throw new Error(
      `warm-up user data: ${bytes} bytes exceed EC2's ${MAX_USER_DATA_BYTES}-byte limit; ` +
        `shorten the warm-up script`,
    );
  }
  return text;
}
