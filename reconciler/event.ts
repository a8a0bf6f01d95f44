// What woke the reconciler. The event only says "look now": the reconciler is level-triggered and
// observes everything itself, so a parse never fails; whatever is missing or malformed is noted
// for the log and the event is treated as "other".

export type TriggerKind = "launch" | "terminate" | "schedule" | "other";

/** A summary of the event, safe to log whole. */
export interface Trigger {
  kind: TriggerKind;
  source?: string;
  detailType?: string;
  /** The event's time (epoch ms), when it is a valid date. */
  time?: number;
  /** For Auto Scaling events: the group and instance the event is about. */
  groupName?: string;
  instanceId?: string;
  /** What was missing or malformed (empty for a well-formed event). */
  problems: string[];
  /** For "other" events: the start of the raw event, so the log shows what arrived. */
  raw?: string;
}

const RAW_EVENT_MAX_CHARS = 500;

/** Summarizes any value Lambda may hand over; never throws. */
export function parseTrigger(event: unknown): Trigger {
  try {
    return readTrigger(event);
  } catch (error) {
    // Only exotic values get here (a throwing getter, a hostile proxy): still "look now".
    return { kind: "other", problems: [`event could not be read: ${String(error)}`] };
  }
}

function readTrigger(event: unknown): Trigger {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    return { kind: "other", problems: ["event is not an object"], raw: rawText(event) };
  }
  const fields = event as Record<string, unknown>;
  const trigger: Trigger = { kind: "other", problems: [] };
  const source = stringField(fields, "source", trigger);
  const detailType = stringField(fields, "detail-type", trigger);
  if (source !== undefined) trigger.source = source;
  if (detailType !== undefined) trigger.detailType = detailType;
  const time = parseTime(fields.time);
  if (time !== undefined) trigger.time = time;
  else trigger.problems.push("time is missing or not a date");

  trigger.kind = kindOf(source, detailType);
  if (trigger.kind === "launch" || trigger.kind === "terminate") {
    readInstanceDetail(fields.detail, trigger);
  }
  if (trigger.kind === "other") trigger.raw = rawText(event);
  return trigger;
}

/**
 * The first sign of a missing active instance, if the event carries one: the time of a terminate
 * event of our group's instance (capped at now, so a skewed clock cannot make failover look
 * negative). For the lifecycle action that is when the instance entered Terminating:Wait: after
 * the group drained it from the target groups (up to the deregistration delay), which the event
 * does not date, so FailoverSeconds may undercount by that much. (The same instance's later
 * Terminate Successful finds the deficit answered already: nothing is activated, no new clock.)
 */
export function signalAtOf(trigger: Trigger, groupName: string, now: number): number | undefined {
  if (trigger.kind !== "terminate" || trigger.groupName !== groupName) return undefined;
  return trigger.time === undefined ? undefined : Math.min(trigger.time, now);
}

/** True when the event names another group (logged; our own group is reconciled anyway). */
export function isForAnotherGroup(trigger: Trigger, groupName: string): boolean {
  return trigger.groupName !== undefined && trigger.groupName !== groupName;
}

/**
 * Auto Scaling's detail types and what they mean here. A termination is signalled twice: "EC2
 * Instance-terminate Lifecycle Action" when the instance enters Terminating:Wait (the group's
 * terminate lifecycle hook; it stopped serving then), "EC2 Instance Terminate Successful" once it
 * is gone. Both carry AutoScalingGroupName and EC2InstanceId in their detail.
 */
const AUTO_SCALING_KINDS: Record<string, TriggerKind> = {
  "EC2 Instance Launch Successful": "launch",
  "EC2 Instance-terminate Lifecycle Action": "terminate",
  "EC2 Instance Terminate Successful": "terminate",
};

function kindOf(source: string | undefined, detailType: string | undefined): TriggerKind {
  if (source === "aws.autoscaling" && detailType !== undefined) {
    return Object.hasOwn(AUTO_SCALING_KINDS, detailType) ? AUTO_SCALING_KINDS[detailType] : "other";
  }
  if (source === "aws.events" && detailType === "Scheduled Event") return "schedule";
  return "other";
}

function readInstanceDetail(detail: unknown, trigger: Trigger): void {
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
    trigger.problems.push("detail is not an object");
    return;
  }
  const fields = detail as Record<string, unknown>;
  const groupName = stringField(fields, "AutoScalingGroupName", trigger, "detail.");
  const instanceId = stringField(fields, "EC2InstanceId", trigger, "detail.");
  if (groupName !== undefined) trigger.groupName = groupName;
  if (instanceId !== undefined) trigger.instanceId = instanceId;
}

function stringField(
  fields: Record<string, unknown>,
  name: string,
  trigger: Trigger,
  prefix = "",
): string | undefined {
  const value = fields[name];
  if (typeof value === "string" && value.length > 0) return value;
  trigger.problems.push(`${prefix}${name} is missing or not a string`);
  return undefined;
}

function parseTime(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

/** JSON of the event, cut short; circular or BigInt values fall back to String. */
function rawText(event: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(event) ?? String(event);
  } catch {
    text = String(event);
  }
  return text.length > RAW_EVENT_MAX_CHARS ? `${text.slice(0, RAW_EVENT_MAX_CHARS)}...` : text;
}
