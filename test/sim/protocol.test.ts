import assert from "node:assert/strict";
import {
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
} from "@aws-sdk/client-auto-scaling";
import { DescribeInstancesCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  DescribeDocumentCommand,
  ListCommandsCommand,
  SendCommandCommand,
} from "@aws-sdk/client-ssm";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from "@smithy/types";
import { sdkClientsFor, SimError, type SimClients } from "../../sandbox/sim";
import { rejection, startHarness, type Harness } from "./harness";

/** The SDK's own strategy (1 ms backoff), recording how the SDK classified each retried error. */
function recordingStrategy(maxAttempts: number) {
  const inner = new ConfiguredRetryStrategy(maxAttempts, 1);
  const errorTypes: string[] = [];
  const strategy: RetryStrategyV2 = {
    acquireInitialRetryToken: (scope: string) => inner.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: (token: StandardRetryToken, info: RetryErrorInfo) => {
      errorTypes.push(info.errorType);
      return inner.refreshRetryTokenForRetry(token, info);
    },
    recordSuccess: (token: StandardRetryToken) => inner.recordSuccess(token),
  };
  return { strategy, errorTypes };
}

interface ServiceCase {
  service: string;
  operation: string;
  throttlingName: string;
  send(clients: SimClients, h: Harness): Promise<{ $metadata: { attempts?: number } }>;
}

const CASES: ServiceCase[] = [
  {
    service: "autoscaling",
    operation: "DescribeAutoScalingGroups",
    throttlingName: "Throttling",
    send: (c) => c.autoScaling.send(new DescribeAutoScalingGroupsCommand({})),
  },
  {
    service: "elbv2",
    operation: "DescribeTargetHealth",
    throttlingName: "Throttling",
    send: (c, h) =>
      c.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: h.sim.options.targetGroupArns[0] }),
      ),
  },
  {
    service: "ssm",
    operation: "ListCommands",
    throttlingName: "ThrottlingException",
    send: (c) => c.ssm.send(new ListCommandsCommand({})),
  },
  {
    service: "ec2",
    operation: "DescribeInstances",
    throttlingName: "RequestLimitExceeded",
    send: (c) => c.ec2.send(new DescribeInstancesCommand({})),
  },
];

describe("simulated AWS protocols (real SDK clients)", () => {
  let h: Harness;
  let clients: SimClients | undefined;
  afterEach(async () => {
    clients?.destroy();
    clients = undefined;
    await h.close();
  });

  for (const c of CASES) {
    describe(`${c.service} throttling (${c.throttlingName})`, () => {
      it("two throttles: the SDK classifies them as THROTTLING, retries, and succeeds", async () => {
        h = await startHarness();
        const { strategy, errorTypes } = recordingStrategy(3);
        clients = sdkClientsFor(h.server.url, { retryStrategy: strategy });
        h.sim.throttle({ operations: [c.operation], count: 2 });
        const out = await c.send(clients, h);
        assert.equal(out.$metadata.attempts, 3);
        assert.deepEqual(errorTypes, ["THROTTLING", "THROTTLING"]);
        assert.deepEqual(
          h.sim.calls.map((call) => [call.operation, call.error]),
          [
            [c.operation, c.throttlingName],
            [c.operation, c.throttlingName],
            [c.operation, undefined],
          ],
        );
      });

      it(`three throttles with maxAttempts 3: throws ${c.throttlingName}`, async () => {
        h = await startHarness();
        h.sim.throttle({ operations: [c.operation], count: 3 });
        const error = await rejection(c.send(h.clients, h));
        assert.equal(error.name, c.throttlingName);
        assert.equal(error.$metadata.attempts, 3);
        assert.equal(h.sim.callCounts()[c.operation], 3);
      });
    });
  }

  it("throttles only the named operations, and only as many calls as asked", async () => {
    h = await startHarness({}, 1);
    h.sim.throttle({ operations: ["ListCommands"], count: 1 });
    await h.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
    assert.equal(
      (await rejection(h.clients.ssm.send(new ListCommandsCommand({})))).name,
      "ThrottlingException",
    );
    await h.clients.ssm.send(new ListCommandsCommand({}));
    h.sim.throttle({ count: 1 });
    assert.equal(
      (await rejection(h.clients.ec2.send(new DescribeInstancesCommand({})))).name,
      "RequestLimitExceeded",
    );
    assert.deepEqual(h.sim.callCounts(), {
      DescribeAutoScalingGroups: 1,
      ListCommands: 2,
      DescribeInstances: 1,
    });
  });

  it("a client error (InvalidDocument) is classified CLIENT_ERROR and not retried", async () => {
    h = await startHarness();
    const { strategy, errorTypes } = recordingStrategy(3);
    clients = sdkClientsFor(h.server.url, { retryStrategy: strategy });
    const error = await rejection(
      clients.ssm.send(
        new SendCommandCommand({ DocumentName: "other", InstanceIds: ["i-00000000000000001"] }),
      ),
    );
    assert.equal(error.name, "InvalidDocument");
    assert.equal(error.$metadata.attempts, 1);
    assert.deepEqual(errorTypes, ["CLIENT_ERROR"]);
  });

  it("an operation the simulator lacks fails loudly, naming it, in every protocol", async () => {
    h = await startHarness({}, 1);
    const hooks = await rejection(
      h.clients.autoScaling.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: "x" })),
    );
    assert.equal(hooks.name, "InvalidAction");
    assert.match(hooks.message, /DescribeLifecycleHooks/);
    const vpcs = await rejection(h.clients.ec2.send(new DescribeVpcsCommand({})));
    assert.equal(vpcs.name, "InvalidAction");
    assert.match(vpcs.message, /DescribeVpcs/);
    const document = await rejection(
      h.clients.ssm.send(new DescribeDocumentCommand({ Name: "x" })),
    );
    assert.equal(document.name, "UnknownOperationException");
    assert.match(document.message, /DescribeDocument/);
    assert.throws(
      () => h.sim.call("elbv2", "CreateLoadBalancer", {}),
      (e: unknown) => {
        return (
          e instanceof SimError &&
          e.code === "InvalidAction" &&
          /CreateLoadBalancer/.test(e.message)
        );
      },
    );
  });

  describe("error documents on the wire", () => {
    const post = (url: string, body: string, headers: Record<string, string>) =>
      fetch(url, { method: "POST", body, headers });

    it("awsQuery: <ErrorResponse><Error><Type>Sender</Type><Code>..", async () => {
      h = await startHarness();
      h.sim.throttle({ count: 1 });
      const response = await post(
        h.server.url,
        "Action=DescribeAutoScalingGroups&Version=2011-01-01",
        {
          "content-type": "application/x-www-form-urlencoded",
        },
      );
      assert.equal(response.status, 400);
      const body = await response.text();
      assert.match(
        body,
        /^<ErrorResponse><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
      );
    });

    it("ec2Query: <Response><Errors><Error><Code>.., HTTP 503 for RequestLimitExceeded", async () => {
      h = await startHarness();
      h.sim.throttle({ count: 1 });
      const response = await post(h.server.url, "Action=DescribeInstances&Version=2016-11-15", {
        "content-type": "application/x-www-form-urlencoded",
      });
      assert.equal(response.status, 503);
      assert.match(
        await response.text(),
        /^<Response><Errors><Error><Code>RequestLimitExceeded<\/Code><Message>Request limit exceeded\.<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
      );
    });

    it('awsJson1_1: {"__type", "message"} and the x-amzn-errortype header', async () => {
      h = await startHarness();
      const response = await post(
        h.server.url,
        JSON.stringify({ CommandId: "c", InstanceId: "i" }),
        {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "AmazonSSM.GetCommandInvocation",
        },
      );
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("x-amzn-errortype"), "InvocationDoesNotExist");
      assert.deepEqual(await response.json(), { __type: "InvocationDoesNotExist", message: "" });
    });

    it("SSM timestamps are epoch seconds in JSON", async () => {
      h = await startHarness();
      h.sim.call("ssm", "SendCommand", {
        DocumentName: "warm-standby-activate",
        InstanceIds: ["i-00000000000000001"],
      });
      const response = await post(h.server.url, "{}", {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonSSM.ListCommands",
      });
      const body = (await response.json()) as { Commands: { RequestedDateTime: unknown }[] };
      assert.equal(body.Commands[0].RequestedDateTime, h.clock.now() / 1000);
    });
  });
});
