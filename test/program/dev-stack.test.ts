// Every resource of the dev stack (Pulumi.dev.yaml) with its key inputs, under Pulumi mocks.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { activationDocumentContent } from "../../components/activationDocument";
import { warmupUserData } from "../../components/userData";
import type { ProgramRun } from "../../sandbox/pulumi-mocks";
import { CAPACITY_TAG_KEY } from "../../reconciler/types";
import { DEV_CONFIG, PROJECT_DIR, devRun, ofType, single } from "./stacks";

const SUBNETS = DEV_CONFIG["warm-standby:subnetIds"] as string[];
const script = (name: string) => fs.readFileSync(path.join(PROJECT_DIR, "scripts", name), "utf8");

describe("program: dev stack", () => {
  let run: ProgramRun;
  before(async () => {
    run = await devRun();
  });
  const state = (type: string, name?: string) => single(run, type, name).state;

  it("registers exactly the expected resources, under one component, with no warning", () => {
    const count = (type: string) => ofType(run, type).length;
    const expected: Record<string, number> = {
      "warm-standby:index:WarmStandbyGroup": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2,
      "aws:iam/instanceProfile:InstanceProfile": 1,
      "aws:iam/rolePolicy:RolePolicy": 1,
      "aws:ec2/securityGroup:SecurityGroup": 1,
      "aws:ec2/launchTemplate:LaunchTemplate": 1,
      "aws:autoscaling/group:Group": 1,
      "aws:autoscaling/attachment:Attachment": 1,
      "aws:autoscaling/lifecycleHook:LifecycleHook": 1,
      "aws:lb/loadBalancer:LoadBalancer": 1,
      "aws:lb/targetGroup:TargetGroup": 1,
      "aws:lb/listener:Listener": 1,
      "aws:ssm/document:Document": 1,
      "aws:sqs/queue:Queue": 1,
      "aws:sqs/queuePolicy:QueuePolicy": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:lambda/function:Function": 1,
      "aws:cloudwatch/eventRule:EventRule": 2,
      "aws:cloudwatch/eventTarget:EventTarget": 2,
      "aws:lambda/permission:Permission": 2,
    };
    assert.deepEqual(
      Object.fromEntries(Object.keys(expected).map((type) => [type, count(type)])),
      expected,
    );
    assert.equal(run.resources.length, 26);
    assert.equal(single(run, "warm-standby:index:WarmStandbyGroup").name, "warm-standby");
    assert.deepEqual(run.warnings, []);
  });

  it("exports the six outputs from the resources they name", () => {
    assert.deepEqual(run.outputs, {
      nlbDnsName: state("aws:lb/loadBalancer:LoadBalancer").dnsName,
      loadBalancerArn: state("aws:lb/loadBalancer:LoadBalancer").arn,
      groupName: state("aws:autoscaling/group:Group").name,
      targetGroupArns: [state("aws:lb/targetGroup:TargetGroup").arn],
      activationDocumentName: state("aws:ssm/document:Document").name,
      reconcilerFunctionName: state("aws:lambda/function:Function").name,
    });
  });

  it("gives the instances a role with SSM core and the extra policy, through a profile", () => {
    const role = single(run, "aws:iam/role:Role", "warm-standby-instance");
    assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ec2.amazonaws.com" },
          Action: ["sts:AssumeRole"],
        },
      ],
    });
    const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.deepEqual(attached.map((a) => [a.name, a.inputs.role, a.inputs.policyArn]).sort(), [
      [
        "warm-standby-extra-1",
        role.state.name,
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
      ],
      [
        "warm-standby-ssm-core",
        role.state.name,
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      ],
    ]);
    assert.equal(state("aws:iam/instanceProfile:InstanceProfile").role, role.state.name);
  });

  it("lets the ports in from the allowed CIDRs and the NLB subnets, and only HTTPS out", () => {
    const group = single(run, "aws:ec2/securityGroup:SecurityGroup");
    const subnetCidrs = run.invokes
      .filter((i) => i.token === "aws:ec2/getSubnet:getSubnet")
      .map((i) => i.result.cidrBlock);
    assert.deepEqual(
      run.invokes.filter((i) => i.token === "aws:ec2/getSubnet:getSubnet").map((i) => i.inputs.id),
      SUBNETS,
    );
    assert.equal(group.inputs.vpcId, DEV_CONFIG["warm-standby:vpcId"]);
    assert.deepEqual(group.inputs.ingress, [
      {
        description: "TCP 8080 from clients and the load balancer",
        protocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
        cidrBlocks: ["10.20.0.0/16", ...subnetCidrs],
      },
    ]);
    assert.deepEqual(group.inputs.egress, [
      {
        description: "HTTPS to the SSM endpoints",
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ["0.0.0.0/0"],
      },
    ]);
  });

  it("builds the launch template from the AMI lookup, locked down, with the warm-up user data", () => {
    const template = single(run, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
    const ami = run.invokes.find((i) => i.token === "aws:ec2/getAmi:getAmi")!;
    assert.deepEqual(ami.inputs, {
      filters: [{ name: "image-id", values: ["ami-0c1d2e3f4a5b6c7d8"] }],
    });
    assert.equal(template.imageId, "ami-0c1d2e3f4a5b6c7d8");
    assert.equal(template.instanceType, "m6i.large");
    assert.equal(template.keyName, "legacy-app-ops");
    assert.deepEqual(template.iamInstanceProfile, {
      arn: state("aws:iam/instanceProfile:InstanceProfile").arn,
    });
    assert.deepEqual(template.metadataOptions, {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    assert.deepEqual(template.blockDeviceMappings, [
      {
        deviceName: ami.result.rootDeviceName,
        ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
      },
    ]);
    assert.deepEqual(template.networkInterfaces, [
      {
        deviceIndex: 0,
        associatePublicIpAddress: "false",
        securityGroups: [single(run, "aws:ec2/securityGroup:SecurityGroup").id],
        deleteOnTermination: "true",
      },
    ]);
    assert.deepEqual(template.tagSpecifications, [
      { resourceType: "instance", tags: { Name: "warm-standby" } },
      { resourceType: "volume", tags: { Name: "warm-standby" } },
    ]);
    const userData = Buffer.from(template.userData, "base64").toString("utf8");
    assert.equal(
      userData,
      warmupUserData({ script: script("warmup.ps1"), services: ["LegacyAppServer"] }),
    );
    assert.match(userData, /^<powershell>\n[\s\S]*'LegacyAppServer'[\s\S]*<\/powershell>/);
  });

  it("keeps active + standby instances warm with AddToLoadBalancer suspended", () => {
    const group = single(run, "aws:autoscaling/group:Group");
    assert.deepEqual(group.inputs, {
      vpcZoneIdentifiers: SUBNETS,
      minSize: 2,
      maxSize: 2,
      desiredCapacity: 2,
      launchTemplate: {
        id: single(run, "aws:ec2/launchTemplate:LaunchTemplate").id,
        version: "$Latest",
      },
      healthCheckType: "ELB",
      healthCheckGracePeriod: 600,
      suspendedProcesses: ["AddToLoadBalancer"],
      terminationPolicies: ["NewestInstance"],
    });
    assert.deepEqual(
      ofType(run, "aws:autoscaling/attachment:Attachment").map((a) => a.inputs),
      [
        {
          autoscalingGroupName: group.state.name,
          lbTargetGroupArn: state("aws:lb/targetGroup:TargetGroup").arn,
        },
      ],
    );
    const registered = run.resources.map((r) => r.type);
    assert.ok(
      registered.indexOf("aws:autoscaling/attachment:Attachment") >
        registered.indexOf("aws:autoscaling/group:Group"),
      "the attachment is registered after the group",
    );
  });

  it("hooks the group's terminations for their event only: 30 s, then CONTINUE, no target", () => {
    const group = single(run, "aws:autoscaling/group:Group");
    const hook = single(run, "aws:autoscaling/lifecycleHook:LifecycleHook");
    assert.equal(hook.name, "warm-standby-terminating");
    // No name (auto-named), no notificationTargetArn or roleArn: the event goes to EventBridge.
    assert.deepEqual(hook.inputs, {
      autoscalingGroupName: group.state.name,
      lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      heartbeatTimeout: 30,
      defaultResult: "CONTINUE",
    });
    const registered = run.resources.map((r) => r.type);
    assert.ok(
      registered.indexOf("aws:autoscaling/lifecycleHook:LifecycleHook") >
        registered.indexOf("aws:autoscaling/group:Group"),
      "the hook is registered after the group, whose name it takes",
    );
  });

  it("declares the active capacity on a cross-zone NLB with one TCP listener and group per port", () => {
    const nlb = single(run, "aws:lb/loadBalancer:LoadBalancer");
    assert.deepEqual(nlb.inputs, {
      loadBalancerType: "network",
      internal: true,
      subnets: SUBNETS,
      enableCrossZoneLoadBalancing: true,
      tags: { [CAPACITY_TAG_KEY]: "1" },
    });
    const targetGroup = single(run, "aws:lb/targetGroup:TargetGroup");
    assert.deepEqual(targetGroup.inputs, {
      port: 8080,
      protocol: "TCP",
      targetType: "instance",
      vpcId: DEV_CONFIG["warm-standby:vpcId"],
      deregistrationDelay: 30,
      connectionTermination: true,
      healthCheck: {
        enabled: true,
        protocol: "TCP",
        port: "8080",
        interval: 5,
        timeout: 4,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
    });
    assert.deepEqual(single(run, "aws:lb/listener:Listener").inputs, {
      loadBalancerArn: nlb.state.arn,
      port: 8080,
      protocol: "TCP",
      defaultActions: [{ type: "forward", targetGroupArn: targetGroup.state.arn }],
    });
  });

  it("holds the activation script in a Command document with services, port and timeout", () => {
    const document = single(run, "aws:ssm/document:Document").inputs;
    assert.equal(document.documentType, "Command");
    assert.equal(document.documentFormat, "JSON");
    const content = JSON.parse(document.content) as {
      schemaVersion: string;
      mainSteps: { action: string; inputs: { timeoutSeconds: number } }[];
      parameters: Record<string, { default: string }>;
    };
    assert.deepEqual(
      content,
      activationDocumentContent({
        script: script("activate.ps1"),
        services: ["LegacyAppServer"],
        applicationPort: 8080,
        timeoutSeconds: 600,
      }),
    );
    assert.equal(content.schemaVersion, "2.2");
    assert.equal(content.mainSteps[0].action, "aws:runPowerShellScript");
    assert.equal(content.mainSteps[0].inputs.timeoutSeconds, 600);
    assert.equal(content.parameters.services.default, "LegacyAppServer");
    assert.equal(content.parameters.applicationPort.default, "8080");
  });

  it("runs the reconciler with its own role, JSON logs with retention and the environment", () => {
    const fn = single(run, "aws:lambda/function:Function").inputs;
    const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup");
    const queue = single(run, "aws:sqs/queue:Queue");
    assert.equal(logGroup.inputs.retentionInDays, 30);
    assert.equal(fn.role, state("aws:iam/role:Role", "warm-standby-reconciler").arn);
    assert.equal(fn.handler, "__index.handler");
    assert.equal(fn.timeout, 660);
    assert.deepEqual(fn.loggingConfig, { logFormat: "JSON", logGroup: logGroup.state.name });
    assert.deepEqual(fn.deadLetterConfig, { targetArn: queue.state.arn });
    assert.deepEqual(fn.environment, {
      variables: {
        WS_GROUP_NAME: run.outputs.groupName,
        WS_LOAD_BALANCER_ARN: run.outputs.loadBalancerArn,
        WS_TARGET_GROUP_ARNS: state("aws:lb/targetGroup:TargetGroup").arn,
        WS_DOCUMENT_NAME: run.outputs.activationDocumentName,
        WS_ACTIVATION_TIMEOUT_SECONDS: "600",
        // 600 s activation + 300 s NLB registration + (2 + 2) checks x 5 s
        WS_PROMOTION_GRACE_SECONDS: "920",
      },
    });
    const reconcilerRole = single(run, "aws:iam/role:Role", "warm-standby-reconciler");
    assert.deepEqual(JSON.parse(reconcilerRole.inputs.assumeRolePolicy).Statement, [
      {
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: ["sts:AssumeRole"],
      },
    ]);
    assert.equal(single(run, "aws:iam/rolePolicy:RolePolicy").inputs.role, reconcilerRole.id);
    assert.ok(
      ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").every(
        (a) => a.inputs.role !== reconcilerRole.state.name,
      ),
      "no managed policy (e.g. a FullAccess one) on the reconciler's role",
    );
  });

  it("wakes the reconciler on this group's events and on the schedule, with retries and a DLQ", () => {
    const fn = state("aws:lambda/function:Function");
    const queue = single(run, "aws:sqs/queue:Queue");
    const lifecycle = single(run, "aws:cloudwatch/eventRule:EventRule", "warm-standby-lifecycle");
    const schedule = single(run, "aws:cloudwatch/eventRule:EventRule", "warm-standby-schedule");
    assert.equal(schedule.inputs.scheduleExpression, "rate(5 minutes)");
    assert.deepEqual(JSON.parse(lifecycle.inputs.eventPattern), {
      source: ["aws.autoscaling"],
      "detail-type": [
        "EC2 Instance Launch Successful",
        "EC2 Instance Terminate Successful",
        "EC2 Instance-terminate Lifecycle Action",
      ],
      detail: { AutoScalingGroupName: [run.outputs.groupName] },
    });
    for (const rule of [lifecycle, schedule]) {
      assert.deepEqual(single(run, "aws:cloudwatch/eventTarget:EventTarget", rule.name).inputs, {
        rule: rule.state.name,
        arn: fn.arn,
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 8 },
        deadLetterConfig: { arn: queue.state.arn },
      });
      assert.deepEqual(single(run, "aws:lambda/permission:Permission", rule.name).inputs, {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "events.amazonaws.com",
        sourceArn: rule.state.arn,
      });
    }
    assert.deepEqual(queue.inputs, {
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 1209600,
    });
    const queuePolicy = single(run, "aws:sqs/queuePolicy:QueuePolicy").inputs;
    assert.equal(queuePolicy.queueUrl, queue.state.url);
    assert.deepEqual(JSON.parse(queuePolicy.policy).Statement, [
      {
        Sid: "OwnRulesDeadLetters",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: queue.state.arn,
        Condition: { ArnEquals: { "aws:SourceArn": [lifecycle.state.arn, schedule.state.arn] } },
      },
    ]);
  });
});
