import assert from "node:assert/strict";
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandsCommand,
  SendCommandCommand,
  type CommandFilter,
} from "@aws-sdk/client-ssm";
import { rejection, startHarness, type Harness } from "./harness";

const A = "i-00000000000000001";
const B = "i-00000000000000002";
const DOCUMENT = "warm-standby-activate";

describe("simulated SSM over HTTP (real SDK client)", () => {
  let h: Harness;
  afterEach(async () => h.close());

  async function send(
    instanceId: string,
    extra: { Comment?: string; TimeoutSeconds?: number } = {},
  ) {
    const out = await h.clients.ssm.send(
      new SendCommandCommand({
        DocumentName: DOCUMENT,
        InstanceIds: [instanceId],
        Parameters: { mode: ["warm"] },
        ...extra,
      }),
    );
    return out.Command!;
  }

  async function invocationStatus(commandId: string, instanceId: string): Promise<string> {
    try {
      const out = await h.clients.ssm.send(
        new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
      );
      return `${out.Status}/${out.StatusDetails}`;
    } catch (error) {
      return (error as Error).name;
    }
  }

  describe("command lifecycle", () => {
    it("SendCommand keeps comment and parameters; Pending -> InProgress -> Success starts the app", async () => {
      h = await startHarness();
      const { agentPickupMs, activationMs } = h.sim.timings;
      const command = await send(A, { Comment: "warm-standby deficit-since=42" });
      assert.equal(command.DocumentName, DOCUMENT);
      assert.equal(command.Comment, "warm-standby deficit-since=42");
      assert.deepEqual(command.Parameters, { mode: ["warm"] });
      assert.deepEqual(command.InstanceIds, [A]);
      assert.equal(command.Status, "Pending");
      assert.equal(command.RequestedDateTime?.getTime(), h.clock.now());
      assert.equal(command.TimeoutSeconds, 3600);
      const id = command.CommandId!;
      assert.equal(await invocationStatus(id, A), "InvocationDoesNotExist");
      h.clock.advance(agentPickupMs);
      assert.equal(await invocationStatus(id, A), "InProgress/InProgress");
      assert.deepEqual(h.sim.appRunningIds(), []);
      h.clock.advance(activationMs);
      assert.equal(await invocationStatus(id, A), "Success/Success");
      assert.deepEqual(h.sim.appRunningIds(), [A]);
      const invocation = await h.clients.ssm.send(
        new GetCommandInvocationCommand({ CommandId: id, InstanceId: A }),
      );
      assert.equal(invocation.ResponseCode, 0);
      assert.equal(invocation.Comment, "warm-standby deficit-since=42");
      assert.equal(
        invocation.ExecutionStartDateTime,
        new Date(h.clock.now() - activationMs).toISOString(),
      );
    });

    it("follows the configured behaviour: Failed or TimedOut after its own duration", async () => {
      h = await startHarness();
      h.sim.setActivationBehaviour((id) =>
        id === A ? { outcome: "Failed", durationMs: 50 } : { outcome: "TimedOut", durationMs: 70 },
      );
      const failed = await send(A);
      const timedOut = await send(B);
      h.clock.advance(h.sim.timings.agentPickupMs + 50);
      assert.equal(await invocationStatus(failed.CommandId!, A), "Failed/Failed");
      assert.equal(await invocationStatus(timedOut.CommandId!, B), "InProgress/InProgress");
      h.clock.advance(20);
      assert.equal(await invocationStatus(timedOut.CommandId!, B), "TimedOut/ExecutionTimedOut");
      assert.deepEqual(h.sim.appRunningIds(), []);
    });

    it("agent offline: stays Pending, is picked up when the agent returns", async () => {
      h = await startHarness();
      h.sim.setAgentOnline(A, false);
      const command = await send(A);
      h.clock.advance(10 * h.sim.timings.agentPickupMs);
      assert.equal(h.sim.commands()[0].status, "Pending");
      assert.equal(await invocationStatus(command.CommandId!, A), "InvocationDoesNotExist");
      h.sim.setAgentOnline(A, true);
      h.clock.advance(h.sim.timings.agentPickupMs);
      assert.equal(await invocationStatus(command.CommandId!, A), "InProgress/InProgress");
    });

    it("agent offline past the delivery timeout: TimedOut (DeliveryTimedOut), never runs", async () => {
      h = await startHarness();
      h.sim.setAgentOnline(A, false);
      const command = await send(A, { TimeoutSeconds: 30 });
      h.clock.advance(30_000 - 1);
      assert.equal(h.sim.commands()[0].status, "Pending");
      h.clock.advance(1);
      assert.equal(await invocationStatus(command.CommandId!, A), "TimedOut/DeliveryTimedOut");
      h.sim.setAgentOnline(A, true);
      h.clock.advance(h.sim.timings.agentPickupMs + h.sim.timings.activationMs);
      assert.equal(h.sim.commands()[0].status, "TimedOut");
      assert.deepEqual(h.sim.appRunningIds(), []);
    });

    it("CancelCommand: a pending command is Cancelled at once, a running one via Cancelling", async () => {
      h = await startHarness();
      h.sim.setAgentOnline(B, false);
      const running = await send(A);
      const pending = await send(B);
      h.clock.advance(h.sim.timings.agentPickupMs);
      await h.clients.ssm.send(new CancelCommandCommand({ CommandId: pending.CommandId! }));
      await h.clients.ssm.send(
        new CancelCommandCommand({ CommandId: running.CommandId!, InstanceIds: [A] }),
      );
      assert.deepEqual(
        h.sim.commands().map((c) => c.status),
        ["Cancelling", "Cancelled"],
      );
      assert.deepEqual(h.sim.activeInstanceIds(), [A]);
      h.clock.advance(h.sim.timings.agentPickupMs);
      assert.equal(await invocationStatus(running.CommandId!, A), "Cancelled/Cancelled");
      h.clock.advance(h.sim.timings.activationMs);
      assert.deepEqual(h.sim.appRunningIds(), []);
      const unknown = await rejection(
        h.clients.ssm.send(
          new CancelCommandCommand({ CommandId: "00000000-0000-4000-8000-000000000000" }),
        ),
      );
      assert.equal(unknown.name, "InvalidCommandId");
    });

    it("an instance terminated mid-command: the command Failed", async () => {
      h = await startHarness();
      const command = await send(A);
      h.clock.advance(h.sim.timings.agentPickupMs);
      h.sim.terminate(A);
      assert.equal(await invocationStatus(command.CommandId!, A), "Failed/Failed");
      h.clock.advance(h.sim.timings.activationMs);
      assert.deepEqual(h.sim.appRunningIds(), []);
    });

    it("rejects another document, a second instance, an unmanaged instance, a long comment", async () => {
      h = await startHarness({ instanceCount: 3 });
      h.sim.terminate(B);
      // B is terminated (hook wait, then shutdown); its replacement boots.
      h.clock.advance(h.sim.timings.lifecycleHookHeartbeatMs + h.sim.timings.terminateMs);
      const cases: [Promise<unknown>, string][] = [
        [
          h.clients.ssm.send(
            new SendCommandCommand({ DocumentName: "AWS-RunPowerShellScript", InstanceIds: [A] }),
          ),
          "InvalidDocument",
        ],
        [
          h.clients.ssm.send(
            new SendCommandCommand({
              DocumentName: DOCUMENT,
              InstanceIds: [A, "i-00000000000000003"],
            }),
          ),
          "InvalidParameters",
        ],
        [send(B), "InvalidInstanceId"],
        [send("i-00000000000000004"), "InvalidInstanceId"],
        [send(A, { Comment: "x".repeat(101) }), "ValidationException"],
      ];
      for (const [call, name] of cases) assert.equal((await rejection(call)).name, name);
      assert.deepEqual(h.sim.commands(), []);
    });
  });

  describe("ListCommands", () => {
    it("filters by DocumentName, InvokedAfter and Status, newest first", async () => {
      h = await startHarness();
      const first = await send(A);
      h.clock.advance(60_000);
      const since = new Date(h.clock.now()).toISOString();
      const second = await send(B);
      const list = async (Filters: CommandFilter[]) =>
        (await h.clients.ssm.send(new ListCommandsCommand({ Filters }))).Commands?.map(
          (c) => c.CommandId,
        );
      assert.deepEqual(await list([{ key: "DocumentName", value: DOCUMENT }]), [
        second.CommandId,
        first.CommandId,
      ]);
      assert.deepEqual(await list([{ key: "InvokedAfter", value: since }]), [second.CommandId]);
      assert.deepEqual(await list([{ key: "Status", value: "Success" }]), [first.CommandId]);
      assert.deepEqual(await list([{ key: "DocumentName", value: "other" }]), []);
      const bad = await rejection(list([{ key: "Status", value: "Sleeping" }]));
      assert.equal(bad.name, "InvalidFilterValue");
    });

    it("paginates with MaxResults and NextToken", async () => {
      h = await startHarness();
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        ids.unshift((await send(n % 2 === 0 ? A : B)).CommandId!);
        h.clock.advance(1000);
      }
      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const out = await h.clients.ssm.send(new ListCommandsCommand({ MaxResults: 2, NextToken }));
        seen.push(...(out.Commands ?? []).map((c) => c.CommandId!));
        NextToken = out.NextToken;
        pages++;
      } while (NextToken);
      assert.equal(pages, 3);
      assert.deepEqual(seen, ids);
      const bad = await rejection(
        h.clients.ssm.send(new ListCommandsCommand({ NextToken: "not-a-token" })),
      );
      assert.equal(bad.name, "InvalidNextToken");
    });
  });

  describe("DescribeInstanceInformation", () => {
    it("reports agents Online / ConnectionLost, filtered by InstanceIds or the group tag", async () => {
      h = await startHarness({ instanceCount: 3 });
      h.sim.setAgentOnline(B, false);
      const describe = async (Key: string, Values: string[]) =>
        (
          await h.clients.ssm.send(
            new DescribeInstanceInformationCommand({ Filters: [{ Key, Values }], MaxResults: 50 }),
          )
        ).InstanceInformationList?.map((i) => `${i.InstanceId} ${i.PingStatus}`);
      assert.deepEqual(await describe("InstanceIds", [A, B]), [
        `${A} Online`,
        `${B} ConnectionLost`,
      ]);
      assert.deepEqual(await describe("tag:aws:autoscaling:groupName", ["warm-standby"]), [
        `${A} Online`,
        `${B} ConnectionLost`,
        "i-00000000000000003 Online",
      ]);
      assert.deepEqual(await describe("tag:aws:autoscaling:groupName", ["other"]), []);
      assert.deepEqual(await describe("PingStatus", ["Online"]), [
        `${A} Online`,
        "i-00000000000000003 Online",
      ]);
      const info = await h.clients.ssm.send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: [A] }] }),
      );
      assert.equal(info.InstanceInformationList?.[0].LastPingDateTime?.getTime(), h.clock.now());
      assert.equal(info.InstanceInformationList?.[0].PlatformType, "Windows");
    });

    it("lists a booting instance only once its agent registered, and no terminated one", async () => {
      h = await startHarness({ instanceCount: 2, startWarm: false });
      const ids = async () =>
        (
          await h.clients.ssm.send(new DescribeInstanceInformationCommand({}))
        ).InstanceInformationList?.map((i) => i.InstanceId);
      assert.deepEqual(await ids(), []);
      h.clock.advance(h.sim.timings.agentOnlineMs);
      assert.deepEqual(await ids(), [A, B]);
      h.sim.terminate(A);
      h.clock.advance(h.sim.timings.lifecycleHookHeartbeatMs + h.sim.timings.terminateMs);
      assert.deepEqual(await ids(), [B]);
    });

    it("paginates (MaxResults 5..50) and rejects out-of-range sizes and mixed tag filters", async () => {
      h = await startHarness({ instanceCount: 12 });
      const seen: string[] = [];
      let NextToken: string | undefined;
      do {
        const out = await h.clients.ssm.send(
          new DescribeInstanceInformationCommand({ MaxResults: 5, NextToken }),
        );
        assert.ok((out.InstanceInformationList?.length ?? 0) <= 5);
        seen.push(...(out.InstanceInformationList ?? []).map((i) => i.InstanceId!));
        NextToken = out.NextToken;
      } while (NextToken);
      assert.deepEqual(seen, h.sim.groupInstanceIds());
      const tooSmall = await rejection(
        h.clients.ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 })),
      );
      assert.equal(tooSmall.name, "ValidationException");
      const mixed = await rejection(
        h.clients.ssm.send(
          new DescribeInstanceInformationCommand({
            Filters: [
              { Key: "InstanceIds", Values: [A] },
              { Key: "tag:aws:autoscaling:groupName", Values: ["warm-standby"] },
            ],
          }),
        ),
      );
      assert.equal(mixed.name, "InvalidInstanceInformationFilterValue");
    });
  });
});
