// The reconciler exactly as `pulumi up` would deploy it: the program runs under mocks with the dev
// stack (in a fresh process, see fresh-program.ts), the function's archive is taken from the mocked
// resource, and its __index.js runs in a fresh node process whose folder holds only the AWS SDK v3
// (what nodejs22.x ships), against the simulated AWS over HTTP on the real clock. Anything the
// serialized code needs that the runtime lacks fails here.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { FunctionPackage } from "../../sandbox/archive";
import {
  invokeHandler,
  prepareLambdaFolder,
  type InvokeResult,
  type LambdaFolder,
} from "../../sandbox/lambda-runtime";
import {
  SimulatedAws,
  realClock,
  sdkEnvFor,
  startSimServer,
  type SimServer,
  type Timings,
} from "../../sandbox/sim";
import { scheduleRuleArn, scheduledEventFor, simOptionsFor } from "../../sandbox/story-world";
import { buildTimingModel, stackTimingsFrom } from "../../sandbox/timing-model";
import { ENV } from "../../reconciler/settings";
import type { FreshProgram } from "./fresh-program";
import { programInFreshProcess } from "./helpers";

const DEV_STACK = path.resolve(__dirname, "../../Pulumi.dev.yaml");

/** AWS's behaviours, scaled down to real milliseconds. */
const TIMINGS: Timings = {
  launchMs: 100,
  agentOnlineMs: 400,
  terminateMs: 100,
  lifecycleHookHeartbeatMs: 100,
  registrationMs: 150,
  unhealthyAfterMs: 50,
  healthyAfterMs: 50,
  deregistrationDelayMs: 150,
  elbHealthGraceMs: 60_000,
  agentPickupMs: 20,
  activationMs: 150,
};

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the serialized reconciler Lambda, run as the nodejs22.x runtime would", () => {
  let program: FreshProgram;
  let resources: FreshProgram["resources"];
  let pkg: FunctionPackage;

  before(async () => {
    program = await programInFreshProcess(DEV_STACK);
    resources = program.resources;
    pkg = { ...program, resourceName: "reconciler", assets: {} };
  });

  it("is an archive holding only __index.js, under 64 KiB zipped", () => {
    assert.deepEqual(program.entries, ["__index.js"]);
    assert.match(program.indexJs, /^exports\.handler = /);
    assert.ok(program.zippedBytes < 64 * 1024, `archive is ${program.zippedBytes} bytes zipped`);
  });

  describe("against the simulated AWS", () => {
    let sim: SimulatedAws;
    let server: SimServer;
    let folder: LambdaFolder;
    let env: Record<string, string>;
    let schedule: () => object;
    const targetGroups = () => pkg.env[ENV.targetGroupArns].split(",");
    const registeredIn = (instanceId: string) =>
      sim
        .registrations()
        .filter((r) => r.instanceId === instanceId && r.state !== "draining")
        .map((r) => r.targetGroupArn)
        .sort();
    const invoke = (event: object): Promise<InvokeResult> =>
      invokeHandler(folder, {
        event,
        env,
        functionName: "warm-standby-reconciler",
        timeoutMs: pkg.timeoutSeconds * 1000,
        killAfterMs: 15_000,
      });

    before(async () => {
      const model = buildTimingModel(stackTimingsFrom(resources), 0);
      const shape = simOptionsFor({ pkg, resources, model, startWarm: true });
      sim = new SimulatedAws({ ...shape, clock: realClock, timings: TIMINGS });
      server = await startSimServer(sim);
      folder = prepareLambdaFolder(pkg.indexJs);
      env = { ...pkg.env, ...sdkEnvFor(server.url), [ENV.pollIntervalMs]: "20" };
      const rule = { region: shape.region, account: shape.account };
      const ruleArn = scheduleRuleArn(resources, rule.region, rule.account);
      schedule = () => scheduledEventFor({ ...rule, ruleArn }, Date.now(), "test-tick");
    });
    after(async () => {
      folder?.dispose();
      await server?.close();
    });

    it("first start: promotes the oldest warm instance and registers it everywhere", async () => {
      const [oldest, other] = sim.instances().sort((a, b) => a.launchTime - b.launchTime);
      assert.deepEqual(sim.activeInstanceIds(), []);

      const outcome = await invoke(schedule());

      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      assert.deepEqual(
        sim.commands().map((c) => [c.instanceId, c.documentName, c.status]),
        [[oldest.instanceId, pkg.env[ENV.documentName], "Success"]],
      );
      assert.deepEqual(registeredIn(oldest.instanceId), [...targetGroups()].sort());
      assert.deepEqual(registeredIn(other.instanceId), []);
      assert.deepEqual(sim.activeInstanceIds(), [oldest.instanceId]);
      assert.equal(sim.maxActiveSeen, 1);
      // The handler logged as deployed: one JSON log line and one EMF line, on raw stdout.
      const lines = outcome.stdout.map((line) => JSON.parse(line));
      assert.equal(lines.filter((l) => l.msg === "reconciled").length, 1);
      assert.equal(lines.filter((l) => l._aws?.CloudWatchMetrics).length, 1);
    });

    it("failover: the active instance's lifecycle action: a warm one promoted, the old deregistered", async () => {
      const [dead] = sim.activeInstanceIds();
      await until(
        () =>
          registeredIn(dead).length > 0 && sim.registrations().every((r) => r.state === "healthy"),
        "healthy",
      );
      const warm = sim
        .instances()
        .find((i) => i.instanceId !== dead && i.lifecycleState === "InService") as {
        instanceId: string;
      };

      // The stack's terminate hook: the lifecycle action comes first, once the group has drained
      // dead from the target groups (150 ms here) and it entered Terminating:Wait.
      const hook = resources.find((r) => r.type === "aws:autoscaling/lifecycleHook:LifecycleHook");
      assert.equal(sim.options.terminateHook, hook?.state.name);
      sim.terminate(dead);
      const event = await until(
        () =>
          sim.events.find((e) => e["detail-type"] === "EC2 Instance-terminate Lifecycle Action"),
        "the lifecycle action event",
      );
      assert.equal(event.detail.LifecycleHookName, hook?.state.name);
      const outcome = await invoke(event);

      assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
      assert.deepEqual(
        sim.commands().map((c) => [c.instanceId, c.status]),
        [
          [dead, "Success"],
          [warm.instanceId, "Success"],
        ],
      );
      assert.deepEqual(registeredIn(dead), []);
      assert.deepEqual(registeredIn(warm.instanceId), [...targetGroups()].sort());
      assert.deepEqual(sim.activeInstanceIds(), [warm.instanceId]);
      assert.equal(sim.maxActiveSeen, 1);
    });

    it("fails when the serialized code requires a package the runtime lacks", async () => {
      const broken = prepareLambdaFolder(`require("yaml");\n${pkg.indexJs}`);
      try {
        const outcome = await invokeHandler(broken, { event: schedule(), env });
        assert.equal(outcome.ok, false);
        assert.equal(outcome.error?.errorType, "Runtime.ImportModuleError");
        assert.match(outcome.error?.errorMessage ?? "", /Cannot find module 'yaml'/);
      } finally {
        broken.dispose();
      }
    });
  });
});
