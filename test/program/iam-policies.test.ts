// Every IAM policy document the program writes, parsed: no wildcard action anywhere, and the
// reconciler's permissions are exactly its AWS calls, scoped to this stack's own resources.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyDocument, PolicyStatement } from "../../components/iam";
import { UNSCOPED_ACTIONS } from "../../components/reconcilerPolicy";
import { MOCK_ACCOUNT_ID, type ProgramRun } from "../../sandbox/pulumi-mocks";
import { PROJECT_DIR, devRun, ofType, secondRun, single } from "./stacks";

/** IAM service prefix of each AWS SDK client package the reconciler imports. */
const SERVICE_PREFIX: Record<string, string> = {
  "@aws-sdk/client-auto-scaling": "autoscaling",
  "@aws-sdk/client-elastic-load-balancing-v2": "elasticloadbalancing",
  "@aws-sdk/client-ssm": "ssm",
  "@aws-sdk/client-ec2": "ec2",
};

/** "ssm:SendCommand" for every `XCommand` the reconciler's sources import from an SDK client. */
function actionsTheReconcilerCalls(): string[] {
  const directory = path.join(PROJECT_DIR, "reconciler");
  const actions = new Set<string>();
  for (const file of fs.readdirSync(directory).filter((f) => f.endsWith(".ts"))) {
    const source = fs.readFileSync(path.join(directory, file), "utf8");
    for (const [, names, pkg] of source.matchAll(
      /import\s*\{([^}]*)\}\s*from\s*"(@aws-sdk\/[^"]+)"/g,
    )) {
      for (const name of names.split(",").map((n) => n.replace(/^\s*type\s+/, "").trim())) {
        if (name.endsWith("Command")) {
          assert.ok(SERVICE_PREFIX[pkg], `unknown SDK client ${pkg}`);
          actions.add(`${SERVICE_PREFIX[pkg]}:${name.slice(0, -"Command".length)}`);
        }
      }
    }
  }
  return [...actions].sort();
}

/** Every policy document of a run: trust policies, the inline policy, the queue policy. */
function policyDocuments(run: ProgramRun): { source: string; document: PolicyDocument }[] {
  return [
    ...ofType(run, "aws:iam/role:Role").map((r) => [r.name, r.inputs.assumeRolePolicy]),
    ...ofType(run, "aws:iam/rolePolicy:RolePolicy").map((r) => [r.name, r.inputs.policy]),
    ...ofType(run, "aws:sqs/queuePolicy:QueuePolicy").map((r) => [r.name, r.inputs.policy]),
  ].map(([source, text]) => ({ source, document: JSON.parse(text) as PolicyDocument }));
}

const asList = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

describe("program: IAM policy documents", () => {
  let runs: ProgramRun[];
  before(async () => {
    runs = [await devRun(), await secondRun()];
  });

  it("grant no wildcard action in any document (not even Describe*)", () => {
    for (const run of runs) {
      const documents = policyDocuments(run);
      assert.equal(documents.length, 4);
      for (const { source, document } of documents) {
        assert.equal(document.Version, "2012-10-17", source);
        for (const statement of document.Statement) {
          assert.ok(statement.Action.length > 0, source);
          for (const action of asList(statement.Action)) {
            assert.match(action, /^[a-z0-9-]+:[A-Za-z]+$/, `${source}: ${action}`);
          }
        }
      }
    }
  });

  it("allow the reconciler exactly the calls its code makes, plus Lambda's own logs and DLQ", () => {
    // Lambda itself writes the function's logs and its dead letters, with the function's role.
    const runtimeActions = ["logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage"];
    for (const run of runs) {
      const policy = reconcilerPolicyOf(run);
      const granted = new Set(policy.Statement.flatMap((s) => s.Action));
      assert.deepEqual(
        [...granted].sort(),
        [...actionsTheReconcilerCalls(), ...runtimeActions].sort(),
      );
      assert.ok(policy.Statement.every((s) => s.Effect === "Allow"));
    }
  });

  it("put only the actions AWS cannot scope on '*'", () => {
    for (const run of runs) {
      const unscoped = reconcilerPolicyOf(run).Statement.filter((s) =>
        asList(s.Resource).includes("*"),
      );
      assert.equal(unscoped.length, 1);
      assert.deepEqual(unscoped[0].Action, UNSCOPED_ACTIONS);
      assert.deepEqual(asList(unscoped[0].Resource), ["*"]);
      assert.ok(
        UNSCOPED_ACTIONS.every((a) => /:(Describe|List|Get)/.test(a) || a === "ssm:CancelCommand"),
      );
    }
  });

  it("scope SetInstanceHealth and Register/DeregisterTargets to this stack's group and target groups", () => {
    for (const run of runs) {
      const policy = reconcilerPolicyOf(run);
      assert.deepEqual(grantedOn(policy, "autoscaling:SetInstanceHealth"), [
        { resources: [single(run, "aws:autoscaling/group:Group").state.arn], condition: undefined },
      ]);
      const targetGroupArns = ofType(run, "aws:lb/targetGroup:TargetGroup").map(
        (tg) => tg.state.arn,
      );
      for (const action of [
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:DeregisterTargets",
      ]) {
        assert.deepEqual(grantedOn(policy, action), [
          { resources: targetGroupArns, condition: undefined },
        ]);
      }
    }
  });

  it("scope SendCommand to the document and to instances tagged with this group's name", () => {
    for (const run of runs) {
      const region = String(single(run, "aws:lb/loadBalancer:LoadBalancer").state.arn).split(
        ":",
      )[3];
      assert.deepEqual(grantedOn(reconcilerPolicyOf(run), "ssm:SendCommand"), [
        { resources: [single(run, "aws:ssm/document:Document").state.arn], condition: undefined },
        {
          resources: [`arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:instance/*`],
          condition: {
            StringEquals: {
              "ssm:resourceTag/aws:autoscaling:groupName": run.outputs.groupName,
            },
          },
        },
      ]);
    }
  });

  it("scope logs to the reconciler's log group and SendMessage to the dead-letter queue", () => {
    for (const run of runs) {
      const policy = reconcilerPolicyOf(run);
      const logGroupArn = single(run, "aws:cloudwatch/logGroup:LogGroup").state.arn;
      for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
        assert.deepEqual(grantedOn(policy, action), [
          { resources: [logGroupArn, `${logGroupArn}:*`], condition: undefined },
        ]);
      }
      assert.deepEqual(grantedOn(policy, "sqs:SendMessage"), [
        { resources: [single(run, "aws:sqs/queue:Queue").state.arn], condition: undefined },
      ]);
    }
  });

  it("need nothing for the terminate hook: no lifecycle-action call, no role for the hook", () => {
    for (const run of runs) {
      const granted = reconcilerPolicyOf(run).Statement.flatMap((s) => s.Action);
      // The hook only wakes the reconciler; its action times out into CONTINUE on its own.
      assert.deepEqual(granted.filter((action) => action.startsWith("autoscaling:")).sort(), [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:SetInstanceHealth",
      ]);
      assert.ok(!actionsTheReconcilerCalls().some((action) => /LifecycleAction/.test(action)));
      const hook = single(run, "aws:autoscaling/lifecycleHook:LifecycleHook").inputs;
      assert.equal(hook.roleArn, undefined);
      assert.equal(hook.notificationTargetArn, undefined);
      assert.deepEqual(
        ofType(run, "aws:iam/role:Role")
          .map((role) => role.name)
          .sort(),
        ["warm-standby-instance", "warm-standby-reconciler"],
      );
    }
  });

  it("let only their own service assume the two roles, with no Resource in trust policies", () => {
    for (const run of runs) {
      const trust = (name: string) =>
        JSON.parse(single(run, "aws:iam/role:Role", name).inputs.assumeRolePolicy).Statement;
      assert.deepEqual(trust("warm-standby-instance"), [
        {
          Effect: "Allow",
          Principal: { Service: "ec2.amazonaws.com" },
          Action: ["sts:AssumeRole"],
        },
      ]);
      assert.deepEqual(trust("warm-standby-reconciler"), [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: ["sts:AssumeRole"],
        },
      ]);
    }
  });
});

function reconcilerPolicyOf(run: ProgramRun): PolicyDocument {
  return JSON.parse(single(run, "aws:iam/rolePolicy:RolePolicy").inputs.policy) as PolicyDocument;
}

/** The statements granting `action`: their resources and condition. */
function grantedOn(policy: PolicyDocument, action: string) {
  return policy.Statement.filter((s: PolicyStatement) => s.Action.includes(action)).map((s) => ({
    resources: asList(s.Resource),
    condition: s.Condition,
  }));
}
