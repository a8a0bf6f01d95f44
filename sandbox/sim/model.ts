// The simulator's state records. Mutable on purpose (the models update them in place); the public
// inspection methods hand out copies.

/**
 * Auto Scaling's names, plus "Gone": left the group after termination (EC2 keeps reporting it as
 * "terminated"). A registered instance is Terminating while the group drains it from its target
 * groups; then, with the terminate lifecycle hook, Terminating:Wait -> Terminating:Proceed, and
 * without it, Terminating until gone.
 */
export type Lifecycle =
  "Pending" | "InService" | "Terminating" | "Terminating:Wait" | "Terminating:Proceed" | "Gone";

export type Ec2State = "pending" | "running" | "shutting-down" | "terminated";

export interface SimInstance {
  instanceId: string;
  availabilityZone: string;
  subnetId: string;
  privateIpAddress: string;
  launchTime: number;
  lifecycle: Lifecycle;
  health: "Healthy" | "Unhealthy";
  ec2State: Ec2State;
  /** The agent has pinged SSM at least once: from then on DescribeInstanceInformation lists it. */
  agentRegistered: boolean;
  agentOnline: boolean;
  /** Set by the setAgentOnline(id, false) control: boot does not bring the agent online. */
  agentHeldOffline: boolean;
  lastPingAt: number;
  appRunning: boolean;
  /** When appRunning last changed: health transitions need the app state to hold throughout. */
  appSince: number;
}

export type TargetState = "initial" | "healthy" | "unhealthy" | "draining";

export interface SimTarget {
  targetGroupArn: string;
  instanceId: string;
  port: number;
  state: TargetState;
  reason?: string;
  description?: string;
  since: number;
  /** Bumped on every state change; scheduled transitions carry it and lapse when it moved on. */
  generation: number;
  /** Registered by the strayRegister control (as the group would have before suspension). */
  stray: boolean;
}

/** The command statuses the simulator produces (ListCommands' Status filter accepts these). */
export const SIM_COMMAND_STATUSES = [
  "Pending",
  "InProgress",
  "Success",
  "Cancelling",
  "Cancelled",
  "Failed",
  "TimedOut",
] as const;

export type SimCommandStatus = (typeof SIM_COMMAND_STATUSES)[number];

export interface SimCommand {
  commandId: string;
  instanceId: string;
  documentName: string;
  comment: string;
  parameters: Record<string, string[]>;
  timeoutSeconds: number;
  requestedAt: number;
  status: SimCommandStatus;
  statusDetails: string;
  responseCode: number;
  startedAt?: number;
  endedAt?: number;
}

/**
 * Statuses in which the activation script may still run (rule 1 counts these as active); every
 * other status is final.
 */
const IN_FLIGHT_STATUSES: readonly SimCommandStatus[] = ["Pending", "InProgress", "Cancelling"];

export function isInFlight(command: SimCommand): boolean {
  return IN_FLIGHT_STATUSES.includes(command.status);
}

/** One line of the simulator's own timeline (what changed, when), for stories and debugging. */
export interface HistoryEntry {
  at: number;
  instanceId?: string;
  what: string;
}
