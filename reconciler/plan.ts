/**
 * The planner: from one Snapshot to the actions that make the world match the declared capacity.
 * Pure (no I/O, no clock: `snapshot.now` is the time), deterministic, and independent of the order
 * of the snapshot's arrays (everything ranked is sorted, ties broken by instance id).
 *
 * Vocabulary (plan-view.ts): registered = in a managed target group, not draining (other target
 * groups are ignored); in flight = Pending/InProgress/Delayed/Cancelling and requested less than
 * activationTimeout + 60 s ago (older: lost, treated as a failure); active = registered or with an
 * activation in flight; verified = some activation succeeded or is in flight (an active instance
 * that is not verified is a "stray": registered by someone else, e.g. by the group when the target
 * groups were attached, its application never started); member = listed by the group and
 * InService; gone = anything else; latest activation = greatest requestedAt, then commandId.
 * "Fencing" an instance = "deregister" from where it is registered, "cancelActivation" of each
 * in-flight command not already Cancelling, and "markUnhealthy" if the group lists it InService
 * and Healthy, because a once-active instance never returns to the warm pool (its application may
 * still hold the exclusive locks); the group replaces it. (Not in other lifecycle states: see
 * fencingActions.)
 *
 * Rules, in this order (an instance is fenced at most once):
 * 0. Group not found, or no valid capacity tag on the load balancer (the group is not ours):
 *    no actions, a note.
 * 1. Gone: every active gone instance is fenced.
 * 2. Failed activation: a member whose latest activation is Failed/TimedOut/Cancelled/Cancelling
 *    or lost is fenced (even if not active) and is never a candidate.
 * 3. Unhealthy active: an active member that the group lists Unhealthy (it is being replaced, even
 *    if its activation still runs), or a registered one that some target group reports
 *    "unhealthy" while out of grace, is fenced. Out of grace = no latest activation
 *    that succeeded or is in flight, or its requestedAt + promotionGrace <= now. (Counting an
 *    in-flight activation too means that a promotion whose registration overlaps its activation
 *    is not fenced by the planner while the script still runs.) "initial" is never unhealthy.
 * 4. Kept set K = active instances not fenced. Members whose latest activation is Success but
 *    which are not registered in every managed target group are settled oldest activation first:
 *    one already in K stays there (rule 5 alone decides which active instance goes) and, if it
 *    survives rule 5, is registered in the missing groups; one not active is skipped unless the
 *    group lists it Healthy, is fenced if its promotion grace is over, joins K if
 *    |K| + |blocked| + 1 <= desired, and is fenced otherwise. A "register" carries the
 *    activation's deficitSince. (Not active after its grace: typically a rule-3 fence deregistered
 *    it but its markUnhealthy failed, which closed the gate; registering it again would undo that
 *    fence and put back an application that failed its health checks, whereas fencing it retries
 *    the markUnhealthy and lets rule 6 promote a successor.)
 * 5. Too many: while |K| > desired, fence a member of K: unverified ones first, newest first among
 *    them, then verified ones newest first (greatest launch time, unknown counts as newest; tie:
 *    greatest instance id). Unverified first because a stray serves nothing: were it older than
 *    the promoted instance, "newest first" alone would fence the one instance whose application
 *    runs and keep a target that never turns healthy, until the group replaces it (minutes
 *    without a healthy target).
 * 6. Promote: deficit = desired - |K| - |blocked|, where blocked = fenced instances that stay
 *    active whatever we do (a Cancelling command: CancelCommand gives no guarantee that the script
 *    stops, so it still counts until it ends or is lost). Candidates = members listed Healthy, not
 *    active, never activated (which also excludes everything fenced above) and whose SSM agent is
 *    Online; oldest launch first (warm the longest), then instance id. "activate" the first
 *    `deficit` of them with deficitSince = signalAt ?? now. Without facts nothing is activated; with
 *    too few candidates the rest waits for the next event or the schedule (notes say which).
 *
 * Output: fencing actions (rules 1-5, per instance: deregister, cancelActivation..., markUnhealthy),
 * then "register", then "activate". At most one action per (kind, instance), except
 * "cancelActivation", which is per command (two overlapping invocations may have started two).
 * No action changes nothing: no deregister of an unregistered target, no markUnhealthy of an
 * Unhealthy instance, no register in a group where the instance is already registered.
 *
 * The gate that `act` relies on (plan-gate.ts): "activate" and "register" run only after every
 * fencing action of the same plan ("deregister", "cancelActivation" and "markUnhealthy") has
 * succeeded. Then, whatever subset of the actions succeeds: either every fencing action succeeded
 * and the active instances that the plan can control are at most `desired`, or no instance became
 * active. No instance becomes active unless the total, blocked instances included, stays within
 * `desired`. "markUnhealthy" gates too although it frees no slot: a fenced instance may keep
 * running (e.g. fenced for unhealthy targets while its application still holds the singleton's
 * exclusive locks), and only the group's replacement stops it, so a successor is activated only
 * once its predecessor is on its way out; otherwise the next round or invocation retries.
 *
 * Why two overlapping invocations cannot exceed capacity: reserved concurrency 1 prevents
 * overlap; if it happens anyway, (a) in-flight activations of any invocation count as active (they
 * come from ListCommands, not from this invocation's memory), so an invocation that observes after
 * another's SendCommand finds no deficit and promotes nothing; (b) the ranking is deterministic and
 * order-independent, so two invocations that observe the same state pick the same instance(s), and
 * activating or registering the same instance twice leaves one active instance (the document's
 * script is idempotent, RegisterTargets is idempotent). An invocation that observes between the
 * other's fencing and its activation sees the same K and candidates, hence the same pick.
 */
import type { Action, Activation, InstanceFacts, Plan, Settings, Snapshot } from "./types";
import { CAPACITY_TAG_KEY } from "./types";
import type { InstanceView } from "./plan-view";
import { blocksCapacity, compareText, managedTargetGroups, viewInstances } from "./plan-view";

type Facts = Record<string, InstanceFacts> | undefined;

const OUT_OF_SERVICE_AFTER_GRACE =
  "activated earlier, out of service after its promotion grace: fenced, not re-registered";

interface Decision {
  actions: Action[];
  notes: string[];
  /** |K| > desired before rule 5 (ranking by launch time is needed). */
  surplus: boolean;
  /** Rule 6's deficit (ranking candidates is needed when > 0). */
  deficit: number;
}

/** True when the plan must rank instances (a deficit or a surplus), so observe must fetch facts. */
export function needsFacts(snapshot: Snapshot, settings: Settings): boolean {
  if (unmanagedNote(snapshot, settings) !== undefined) return false;
  const decision = decide({ ...snapshot, facts: undefined }, settings);
  return decision.surplus || decision.deficit > 0;
}

/** Instances that count as active: registered (not draining) or with an activation in flight. */
export function activeInstanceIds(snapshot: Snapshot, settings: Settings): string[] {
  return viewInstances(snapshot, settings)
    .filter((view) => view.active)
    .map((view) => view.instanceId);
}

/**
 * Instances that could be promoted now (warm standbys), best first. Without facts: those that
 * would be candidates if their agent were Online, by instance id.
 */
export function warmInstanceIds(snapshot: Snapshot, settings: Settings): string[] {
  return warmCandidates(viewInstances(snapshot, settings), snapshot.facts).map(
    (view) => view.instanceId,
  );
}

/** Pure: from one observation to the actions that make it match the declared capacity. */
export function plan(snapshot: Snapshot, settings: Settings): Plan {
  const unmanaged = unmanagedNote(snapshot, settings);
  if (unmanaged !== undefined) return { actions: [], notes: [unmanaged] };
  const { actions, notes } = decide(snapshot, settings);
  return { actions, notes };
}

function unmanagedNote(snapshot: Snapshot, settings: Settings): string | undefined {
  if (!snapshot.groupFound) return `group ${settings.groupName} not found`;
  if (snapshot.desiredActive === null) {
    return `load balancer ${settings.loadBalancerArn} has no valid ${CAPACITY_TAG_KEY} tag: group ${settings.groupName} is not managed`;
  }
  return undefined;
}

function decide(snapshot: Snapshot, settings: Settings): Decision {
  const desired = snapshot.desiredActive ?? 0;
  const views = viewInstances(snapshot, settings);
  const managed = managedTargetGroups(settings);
  const fences: Action[] = [];
  const fenced = new Set<string>();
  const notes: string[] = [];
  const fence = (view: InstanceView, reason: string) => {
    fenced.add(view.instanceId);
    fences.push(...fencingActions(view, reason));
  };
  const unfenced = (view: InstanceView) => !fenced.has(view.instanceId);

  // Rules 1-3.
  views
    .filter((view) => !view.member && view.active)
    .forEach((view) => fence(view, `gone (${view.groupEntry?.lifecycleState ?? "not in group"})`));
  views
    .filter((view) => view.member && unfenced(view) && view.latestFailure !== undefined)
    .forEach((view) =>
      fence(view, `activation ${view.latest?.commandId} ${view.latestFailure}: never serves`),
    );
  views
    .filter((view) => view.member && unfenced(view) && view.active)
    .forEach((view) => {
      const problem = unhealthiness(view, snapshot.now, settings);
      if (problem !== undefined) fence(view, problem);
    });

  // Rule 4.
  let kept = views.filter((view) => view.active && unfenced(view));
  const blockedCount = () =>
    views.filter((view) => !kept.includes(view) && blocksCapacity(view)).length;
  const settled = views
    .filter(
      (view) =>
        view.member &&
        unfenced(view) &&
        view.latest?.status === "Success" &&
        view.registeredIn.length < managed.length,
    )
    .sort(byLatestActivation);
  for (const view of settled) {
    if (kept.includes(view) || view.groupEntry?.healthStatus !== "Healthy") continue;
    if (!inPromotionGrace(view, snapshot.now, settings)) fence(view, OUT_OF_SERVICE_AFTER_GRACE);
    else if (kept.length + blockedCount() + 1 <= desired) kept.push(view);
    else fence(view, "activated earlier but capacity is full: must not return to the warm pool");
  }

  // Rule 5.
  const surplus = kept.length > desired;
  if (surplus) {
    const extras = [...kept].sort(removalOrder(snapshot.facts)).slice(0, kept.length - desired);
    const excess = `too many active (${kept.length} > ${desired})`;
    extras.forEach((view) =>
      fence(
        view,
        view.verified
          ? `${excess}: newest removed first`
          : `${excess}: never activated by the reconciler, removed first`,
      ),
    );
    kept = kept.filter(unfenced);
  }
  const registers = settled
    .filter((view) => kept.includes(view))
    .map((view) => registerAction(view, managed));

  // Rule 6.
  const blocked = views.filter((view) => !kept.includes(view) && blocksCapacity(view));
  if (blocked.length > 0) {
    const ids = blocked.map((view) => view.instanceId).join(", ");
    notes.push(`${ids}: activation still cancelling, counted as active`);
  }
  const deficit = desired - kept.length - blocked.length;
  const activations = deficit > 0 ? promote(views, snapshot, deficit, notes) : [];
  return { actions: [...fences, ...registers, ...activations], notes, surplus, deficit };
}

function promote(views: InstanceView[], snapshot: Snapshot, deficit: number, notes: string[]) {
  if (snapshot.facts === undefined) {
    notes.push(`facts not observed: cannot rank warm candidates for a deficit of ${deficit}`);
    return [];
  }
  const chosen = warmCandidates(views, snapshot.facts).slice(0, deficit);
  if (chosen.length < deficit) {
    notes.push(
      `no warm candidate for ${deficit - chosen.length} of ${deficit} missing active instance(s): the next event or the schedule retries`,
    );
  }
  const deficitSince = snapshot.signalAt ?? snapshot.now;
  return chosen.map((view): Action => ({
    kind: "activate",
    instanceId: view.instanceId,
    deficitSince,
    reason: `warm standby promoted (deficit ${deficit})`,
  }));
}

/** Rule 6's candidates in rank order (see warmInstanceIds for the facts-less order). */
function warmCandidates(views: InstanceView[], facts: Facts): InstanceView[] {
  const warm = views.filter(
    (view) =>
      view.member &&
      view.groupEntry?.healthStatus === "Healthy" &&
      !view.active &&
      view.history.length === 0,
  );
  if (facts === undefined) return warm;
  return warm
    .filter((view) => factsOf(facts, view.instanceId)?.agentOnline === true)
    .sort(
      (a, b) =>
        (factsOf(facts, a.instanceId)?.launchTime ?? 0) -
          (factsOf(facts, b.instanceId)?.launchTime ?? 0) ||
        compareText(a.instanceId, b.instanceId),
    );
}

function unhealthiness(view: InstanceView, now: number, settings: Settings): string | undefined {
  if (view.groupEntry?.healthStatus === "Unhealthy") return "Unhealthy in the group";
  if (!view.unhealthyTarget) return undefined;
  return inPromotionGrace(view, now, settings)
    ? undefined
    : "target unhealthy after the promotion grace";
}

/** The latest activation succeeded or is in flight, and was requested less than the grace ago. */
function inPromotionGrace(view: InstanceView, now: number, settings: Settings): boolean {
  const latest = view.latest;
  const promising =
    latest !== undefined && (latest.status === "Success" || view.inFlight.includes(latest));
  return promising && latest.requestedAt + settings.promotionGraceSeconds * 1000 > now;
}

function fencingActions(view: InstanceView, reason: string): Action[] {
  const instanceId = view.instanceId;
  const actions: Action[] = [];
  if (view.registeredIn.length > 0) {
    const targetGroupArns = [...view.registeredIn];
    actions.push({ kind: "deregister", instanceId, targetGroupArns, reason });
  }
  view.cancellable.forEach(({ commandId }) =>
    actions.push({ kind: "cancelActivation", instanceId, commandId, reason }),
  );
  // Only InService: SetInstanceHealth on another state (Standby, Pending:Wait, Terminating...) may
  // be refused or pointless, and a refused gating action would block every promotion. Such an
  // instance is fenced once it is back InService (rules 2 and 4: it was activated once).
  const entry = view.groupEntry;
  if (entry?.lifecycleState === "InService" && entry.healthStatus === "Healthy") {
    actions.push({ kind: "markUnhealthy", instanceId, reason });
  }
  return actions;
}

function registerAction(view: InstanceView, managed: string[]): Action {
  const { commandId, deficitSince } = view.latest as Activation;
  return {
    kind: "register",
    instanceId: view.instanceId,
    targetGroupArns: managed.filter((arn) => !view.registeredIn.includes(arn)),
    ...(deficitSince === undefined ? {} : { deficitSince }),
    reason: `activation ${commandId} succeeded but registration is incomplete`,
  };
}

/** Settled instances (latest activation Success) by that activation, oldest first. */
function byLatestActivation(a: InstanceView, b: InstanceView): number {
  const left = a.latest as Activation;
  const right = b.latest as Activation;
  return (
    left.requestedAt - right.requestedAt ||
    compareText(left.commandId, right.commandId) ||
    compareText(a.instanceId, b.instanceId)
  );
}

/**
 * Rule 5's order: unverified before verified (a stray's application never started: removing it
 * costs no service), then greatest launch time first, unknown launch time before any known one,
 * then greatest instance id.
 */
function removalOrder(facts: Facts) {
  const launch = (view: InstanceView) =>
    factsOf(facts, view.instanceId)?.launchTime ?? Number.POSITIVE_INFINITY;
  return (a: InstanceView, b: InstanceView) =>
    Number(a.verified) - Number(b.verified) ||
    compareNumbersDescending(launch(a), launch(b)) ||
    compareText(b.instanceId, a.instanceId);
}

function compareNumbersDescending(a: number, b: number): number {
  return a === b ? 0 : a > b ? -1 : 1;
}

function factsOf(facts: Facts, instanceId: string): InstanceFacts | undefined {
  return facts !== undefined && Object.hasOwn(facts, instanceId) ? facts[instanceId] : undefined;
}
