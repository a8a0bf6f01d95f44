import { strict as assert } from "node:assert";
import { formatPlan, planRows, shortType } from "../../sandbox/plan-table";
import { formatTable } from "../../sandbox/text-table";

describe("sandbox: text tables", () => {
  it("aligns columns under a header rule, right-aligning numbers", () => {
    const text = formatTable(
      [
        { name: "a", n: 5 },
        { name: "longer", n: 120 },
      ],
      [
        { header: "NAME", value: (row) => row.name },
        { header: "N", value: (row) => String(row.n), right: true },
        { header: "NOTE", value: () => "x" },
      ],
    );
    assert.equal(
      text,
      ["NAME      N  NOTE", "------  ---  ----", "a         5  x", "longer  120  x"].join("\n"),
    );
  });

  it("wraps the last column at spaces, continuation lines under it", () => {
    const text = formatTable(
      [{ k: "key", v: "one two three four five six seven eight nine ten eleven twelve" }],
      [
        { header: "K", value: (row) => row.k },
        { header: "V", value: (row) => row.v },
      ],
      35,
    );
    assert.deepEqual(text.split("\n"), [
      "K    V",
      "---  ------------------------------",
      "key  one two three four five six",
      "     seven eight nine ten eleven",
      "     twelve",
    ]);
  });
});

describe("sandbox: plan table", () => {
  const resources = [
    {
      type: "aws:autoscaling/group:Group",
      name: "app-asg",
      inputs: {
        minSize: 2,
        maxSize: 2,
        desiredCapacity: 2,
        healthCheckType: "ELB",
        suspendedProcesses: ["AddToLoadBalancer"],
      },
    },
    {
      type: "aws:autoscaling/lifecycleHook:LifecycleHook",
      name: "app-terminating",
      inputs: {
        autoscalingGroupName: "app-asg",
        lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        heartbeatTimeout: 30,
        defaultResult: "CONTINUE",
      },
    },
    {
      type: "aws:lb/targetGroup:TargetGroup",
      name: "app-tg-8443",
      inputs: {
        port: 8443,
        protocol: "TCP",
        healthCheck: { interval: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
      },
    },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "app-reconciler-policy",
      inputs: {
        policy: JSON.stringify({
          Statement: [
            { Effect: "Allow", Action: ["ssm:SendCommand", "ssm:ListCommands"], Resource: "*" },
            { Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn" },
          ],
        }),
      },
    },
    {
      type: "aws:iam/role:Role",
      name: "app-reconciler-role",
      inputs: {
        assumeRolePolicy: JSON.stringify({
          Statement: [{ Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } }],
        }),
      },
    },
    {
      type: "aws:cloudwatch/eventRule:EventRule",
      name: "app-events",
      inputs: {
        eventPattern: JSON.stringify({
          source: ["aws.autoscaling"],
          "detail-type": ["EC2 Instance Launch Successful", "EC2 Instance Terminate Successful"],
        }),
      },
    },
    {
      type: "aws:lambda/function:Function",
      name: "app-reconciler",
      inputs: {
        runtime: "nodejs22.x",
        timeout: 660,
        reservedConcurrentExecutions: 1,
        environment: { variables: { WS_GROUP_NAME: "g", WS_DOCUMENT_NAME: "d" } },
        code: {},
      },
    },
    { type: "warm-standby:index:WarmStandbyGroup", name: "app", inputs: {} },
  ];

  it("shows each resource's key settings, summarising policies, patterns and env", () => {
    assert.deepEqual(planRows(resources), [
      {
        type: "aws:autoscaling:Group",
        name: "app-asg",
        settings:
          "minSize=2, maxSize=2, desiredCapacity=2, healthCheckType=ELB, suspendedProcesses=[AddToLoadBalancer]",
      },
      {
        type: "aws:autoscaling:LifecycleHook",
        name: "app-terminating",
        settings:
          "lifecycleTransition=autoscaling:EC2_INSTANCE_TERMINATING, heartbeatTimeout=30, defaultResult=CONTINUE",
      },
      {
        type: "aws:lb:TargetGroup",
        name: "app-tg-8443",
        settings:
          "protocol=TCP, port=8443, healthCheck.interval=5, healthCheck.healthyThreshold=2, healthCheck.unhealthyThreshold=2",
      },
      {
        type: "aws:iam:RolePolicy",
        name: "app-reconciler-policy",
        settings: "policy: ssm:SendCommand ssm:ListCommands sqs:SendMessage",
      },
      {
        type: "aws:iam:Role",
        name: "app-reconciler-role",
        settings: "assumeRolePolicy: sts:AssumeRole by lambda.amazonaws.com",
      },
      {
        type: "aws:cloudwatch:EventRule",
        name: "app-events",
        settings:
          "eventPattern: aws.autoscaling | EC2 Instance Launch Successful | EC2 Instance Terminate Successful",
      },
      {
        type: "aws:lambda:Function",
        name: "app-reconciler",
        settings:
          "runtime=nodejs22.x, timeout=660, reservedConcurrentExecutions=1, env: WS_GROUP_NAME WS_DOCUMENT_NAME, code: AssetArchive",
      },
      { type: "warm-standby:index:WarmStandbyGroup", name: "app", settings: "" },
    ]);
  });

  it("shortens provider types to module and class, leaves component types alone", () => {
    assert.equal(shortType("aws:lb/targetGroup:TargetGroup"), "aws:lb:TargetGroup");
    assert.equal(
      shortType("warm-standby:index:WarmStandbyGroup"),
      "warm-standby:index:WarmStandbyGroup",
    );
  });

  it("renders one table row (or wrapped group of lines) per resource", () => {
    const lines = formatPlan(resources).split("\n");
    assert.match(lines[0], /^TYPE\s+NAME\s+KEY SETTINGS$/);
    for (const resource of resources) {
      assert.ok(
        lines.some((line) => line.includes(resource.name)),
        resource.name,
      );
    }
  });
});
