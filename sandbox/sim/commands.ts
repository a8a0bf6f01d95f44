// SSM Run Command for the activation document, one instance per command:
// Pending -> (agent Online) InProgress -> Success | Failed | TimedOut, per the activation
// behaviour; Pending beyond the delivery timeout -> TimedOut; cancel; instance gone -> Failed.
import { setAppRunning } from "./fleet";
import { isInFlight, type SimCommand, type SimCommandStatus, type SimInstance } from "./model";
import type { World } from "./world";

export interface SendInput {
  instanceId: string;
  documentName: string;
  comment: string;
  parameters: Record<string, string[]>;
  timeoutSeconds: number;
}

export function sendCommand(world: World, input: SendInput): SimCommand {
  const command: SimCommand = {
    commandId: world.uuid("command"),
    ...input,
    requestedAt: world.now(),
    status: "Pending",
    statusDetails: "Pending",
    responseCode: -1,
  };
  world.commands.push(command);
  world.note(input.instanceId, `command ${command.commandId}: Pending`);
  // The delivery timeout: a command no agent picked up by then never runs.
  world.after(input.timeoutSeconds * 1000, () => {
    if (command.status === "Pending") finish(world, command, "TimedOut", "DeliveryTimedOut");
  });
  const instance = world.instances.get(input.instanceId);
  if (instance?.agentOnline) schedulePickup(world, command);
  return command;
}

/** A returning agent picks up what is still pending for it. */
export function pickUpPending(world: World, instance: SimInstance): void {
  for (const command of world.commands) {
    if (command.instanceId === instance.instanceId && command.status === "Pending") {
      schedulePickup(world, command);
    }
  }
}

function schedulePickup(world: World, command: SimCommand): void {
  world.after(world.options.timings.agentPickupMs, () => {
    const instance = world.instances.get(command.instanceId);
    // Still pending and the agent still there; otherwise the next agentOnline reschedules.
    if (command.status !== "Pending" || !instance?.agentOnline) return;
    command.status = "InProgress";
    command.statusDetails = "InProgress";
    command.startedAt = world.now();
    world.note(command.instanceId, `command ${command.commandId}: InProgress`);
    const behaviour = world.activationBehaviour(command.instanceId);
    const duration = behaviour.durationMs ?? world.options.timings.activationMs;
    world.after(duration, () => {
      if (command.status !== "InProgress") return;
      if (behaviour.outcome === "Success") {
        finish(world, command, "Success", "Success", 0);
        setAppRunning(world, instance, true);
      } else if (behaviour.outcome === "Failed") {
        finish(world, command, "Failed", "Failed", 1);
      } else {
        finish(world, command, "TimedOut", "ExecutionTimedOut");
      }
    });
  });
}

/** Pending commands are cancelled at once; a running one once its agent acknowledges. */
export function cancelCommand(world: World, command: SimCommand): void {
  if (command.status === "Pending") {
    finish(world, command, "Cancelled", "Cancelled");
  } else if (command.status === "InProgress") {
    command.status = "Cancelling";
    command.statusDetails = "Cancelling";
    world.note(command.instanceId, `command ${command.commandId}: Cancelling`);
    world.after(world.options.timings.agentPickupMs, () => {
      if (command.status === "Cancelling") finish(world, command, "Cancelled", "Cancelled");
    });
  }
}

/** The instance is going away: whatever was pending or running on it fails. */
export function failCommandsOn(world: World, instance: SimInstance): void {
  for (const command of world.commands) {
    if (command.instanceId !== instance.instanceId || !isInFlight(command)) continue;
    const details = command.status === "Pending" ? "Undeliverable" : "Failed";
    finish(world, command, "Failed", details);
  }
}

function finish(
  world: World,
  command: SimCommand,
  status: SimCommandStatus,
  statusDetails: string,
  responseCode = -1,
): void {
  command.status = status;
  command.statusDetails = statusDetails;
  command.responseCode = responseCode;
  command.endedAt = world.now();
  world.note(command.instanceId, `command ${command.commandId}: ${status} (${statusDetails})`);
}
