// The world the offline story runs in: the simulated AWS on a VIRTUAL clock, configured from the
// stack's resources and the timing model, its HTTP server behind a proxy that charges modeled
// time for every API call, and the SERIALIZED reconciler (the archive's __index.js) invoked in a
// Lambda-like folder, one fresh node process per invocation.
//
// Why a virtual clock: the story covers hours of AWS time in seconds, and every timestamp it prints
// is modeled. The simulator's own durations (launch, boot, NLB registration, health checks, the
// activation script, ...) are the timing model's values; the story adds EventBridge delivery and
// the Lambda cold start before each invocation; the proxy adds one API round trip per request (a
// batch of parallel requests costs one) and one poll interval per GetCommandInvocation, since the
// deployed handler sleeps that long between polls. The handler's own clock stays real (it cannot
// be moved from outside): the virtual clock starts at the real time and only runs ahead of it, so
// the handler's age checks (commands in flight, grace periods) err on "too young", never "lost".
import { CAPACITY_TAG_KEY } from "../reconciler/types";
import { ENV } from "../reconciler/settings";
import type { Report } from "../reconciler/summary";
import type { FunctionPackage } from "./archive";
import { invokeHandler, prepareLambdaFolder, type LambdaFolder } from "./lambda-runtime";
import { startSimProxy, type SimProxy } from "./sim-proxy";
import {
  SimulatedAws,
  VirtualClock,
  sdkEnvFor,
  startSimServer,
  type CallRecord,
  type SimServer,
  type Timings,
} from "./sim";
import type { TimingModel } from "./timing-model";

export interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  state?: Record<string, unknown>;
}

/** One run of the serialized handler, in modeled time (epoch ms of the virtual clock). */
export interface Invocation {
  label: string;
  /** When the triggering event was emitted (or the schedule fired). */
  emittedAt: number;
  deliveredAt: number;
  /** After the cold start: the handler starts. */
  startedAt: number;
  endedAt: number;
  ok: boolean;
  error?: string;
  report?: Report;
  /** The AWS calls this invocation made, as the simulator logged them. */
  calls: CallRecord[];
}

export interface StoryWorld {
  readonly sim: SimulatedAws;
  readonly clock: VirtualClock;
  readonly startedAt: number;
  readonly functionTimeoutSeconds: number;
  readonly scheduleRuleArn: string;
  /** Advances the virtual clock (never backwards). */
  advanceTo(at: number): void;
  /** Delivers an event emitted at `emittedAt` to the serialized handler and runs it. */
  invoke(event: unknown, emittedAt: number, label: string): Promise<Invocation>;
  close(): Promise<void>;
}

export interface StoryWorldOptions {
  pkg: FunctionPackage;
  resources: PlannedResource[];
  model: TimingModel;
  /** True: the group's instances are warm at the start; false: they launch at the start. */
  startWarm: boolean;
  /** Overrides the group's size from the stack (the bench's 2, 10, 100). */
  instanceCount?: number;
}

export async function openStoryWorld(options: StoryWorldOptions): Promise<StoryWorld> {
  const { pkg, model } = options;
  const clock = new VirtualClock(Date.now());
  const sim = new SimulatedAws({ ...simOptionsFor(options), clock });
  const server: SimServer = await startSimServer(sim);
  const seconds = (key: keyof TimingModel) => model[key].seconds * 1000;
  const proxy: SimProxy = await startSimProxy(server.url, {
    onRequest: ({ operation, inFlight }) => {
      if (inFlight === 0) clock.advance(seconds("apiCallSeconds"));
      if (operation.endsWith("GetCommandInvocation")) clock.advance(seconds("pollIntervalSeconds"));
    },
  });
  const folder: LambdaFolder = prepareLambdaFolder(pkg.indexJs);
  const env = {
    ...pkg.env,
    ...sdkEnvFor(proxy.url),
    // The deployed poll interval is charged by the proxy in modeled time; really waiting it
    // would only slow the story down.
    [ENV.pollIntervalMs]: "1",
  };
  const startedAt = clock.now();
  const advanceTo = (at: number) => {
    if (at > clock.now()) clock.advance(at - clock.now());
  };

  return {
    sim,
    clock,
    startedAt,
    functionTimeoutSeconds: pkg.timeoutSeconds,
    scheduleRuleArn: scheduleRuleArn(options.resources, sim.options.region, sim.options.account),
    advanceTo,
    async invoke(event, emittedAt, label) {
      advanceTo(emittedAt + seconds("eventDeliverySeconds"));
      const deliveredAt = clock.now();
      advanceTo(deliveredAt + seconds("lambdaInitSeconds"));
      const started = clock.now();
      const callsBefore = sim.calls.length;
      const outcome = await invokeHandler(folder, {
        event,
        env,
        functionName: pkg.resourceName,
        timeoutMs: pkg.timeoutSeconds * 1000,
        killAfterMs: 60_000,
      });
      return {
        label,
        emittedAt,
        deliveredAt,
        startedAt: started,
        endedAt: clock.now(),
        ok: outcome.ok,
        error: outcome.error && `${outcome.error.errorType}: ${outcome.error.errorMessage}`,
        report: outcome.ok ? (outcome.result as Report) : undefined,
        calls: sim.calls.slice(callsBefore),
      };
    },
    async close() {
      folder.dispose();
      await proxy.close();
      await server.close();
    },
  };
}

/**
 * The simulator, shaped like the stack: the group's name and size, its terminate lifecycle hook,
 * the load balancer and its capacity tag, the target groups and their ports, the activation
 * document; AWS's durations from the timing model.
 */
export function simOptionsFor(options: StoryWorldOptions) {
  const { pkg, resources, model } = options;
  const env = pkg.env;
  const loadBalancerArn = env[ENV.loadBalancerArn];
  const [, , , region, account] = loadBalancerArn.split(":");
  const group = resources.find((r) => r.type === "aws:autoscaling/group:Group");
  const balancer = resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer");
  const targetGroupArns = env[ENV.targetGroupArns].split(",").map((arn) => arn.trim());
  const targetGroups = resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup");
  const terminateHook = resources.find(
    (r) =>
      r.type === "aws:autoscaling/lifecycleHook:LifecycleHook" &&
      r.inputs.lifecycleTransition === "autoscaling:EC2_INSTANCE_TERMINATING",
  );
  const tags = (balancer?.inputs.tags ?? {}) as Record<string, string>;
  return {
    region,
    account,
    groupName: env[ENV.groupName],
    instanceCount: options.instanceCount ?? Number(group?.inputs.desiredCapacity),
    loadBalancerArn,
    capacityTag: tags[CAPACITY_TAG_KEY] ?? null,
    targetGroupArns,
    targetPorts: targetGroupArns.map((arn, index) => {
      const match = targetGroups.find((tg) => tg.state?.arn === arn);
      return Number(match?.inputs.port ?? 7000 + index);
    }),
    documentName: env[ENV.documentName],
    terminateHook: terminateHook ? String(terminateHook.state?.name ?? terminateHook.name) : null,
    startWarm: options.startWarm,
    timings: simTimingsFrom(model),
  };
}

/** The simulator's durations, in modeled milliseconds, from the timing model. */
export function simTimingsFrom(model: TimingModel): Timings {
  const ms = (key: keyof TimingModel) => Math.round(model[key].seconds * 1000);
  return {
    launchMs: ms("launchSeconds"),
    agentOnlineMs: ms("instanceBootSeconds"),
    terminateMs: ms("terminationSeconds"),
    lifecycleHookHeartbeatMs: ms("lifecycleHookHeartbeatSeconds"),
    // The simulator's "initial" phase covers registration and the first passing checks.
    registrationMs: ms("nlbRegistrationSeconds") + ms("healthChecksSeconds"),
    unhealthyAfterMs: ms("unhealthyChecksSeconds"),
    healthyAfterMs: ms("healthChecksSeconds"),
    deregistrationDelayMs: ms("deregistrationDelaySeconds"),
    elbHealthGraceMs: ms("groupHealthCycleSeconds"),
    agentPickupMs: ms("agentPickupSeconds"),
    activationMs: ms("activationScriptSeconds"),
  };
}

export function scheduleRuleArn(
  resources: PlannedResource[],
  region: string,
  account: string,
): string {
  const rule = resources.find(
    (r) => r.type === "aws:cloudwatch/eventRule:EventRule" && r.inputs.scheduleExpression,
  );
  const arn = rule?.state?.arn;
  return typeof arn === "string" ? arn : `arn:aws:events:${region}:${account}:rule/schedule`;
}

/** A "Scheduled Event" as EventBridge delivers it for a schedule rule. */
export function scheduledEvent(world: StoryWorld, at: number, id: string): object {
  const { region, account } = world.sim.options;
  return scheduledEventFor({ region, account, ruleArn: world.scheduleRuleArn }, at, id);
}

export function scheduledEventFor(
  rule: { region: string; account: string; ruleArn: string },
  at: number,
  id: string,
): object {
  return {
    version: "0",
    id,
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: rule.account,
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: rule.region,
    resources: [rule.ruleArn],
    detail: {},
  };
}
