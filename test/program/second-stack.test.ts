// The second configuration: 3 ports, activeCapacity 2, AMI by name, internet-facing NLB.
import { strict as assert } from "node:assert";
import type { ProgramRun } from "../../sandbox/pulumi-mocks";
import { CAPACITY_TAG_KEY } from "../../reconciler/types";
import { SECOND_CONFIG, ofType, secondRun, single } from "./stacks";

const PORTS = [4000, 4001, 8443];
const PUBLIC_SUBNETS = SECOND_CONFIG["warm-standby:loadBalancerSubnetIds"] as string[];

describe("program: second configuration", () => {
  let run: ProgramRun;
  before(async () => {
    run = await secondRun();
  });
  const invoke = (token: string) => run.invokes.filter((i) => i.token === token);

  it("looks the AMI up by name among the given owners and uses the newest match", () => {
    const [lookup] = invoke("aws:ec2/getAmi:getAmi");
    assert.deepEqual(lookup.inputs, {
      filters: [{ name: "name", values: ["legacy-app-golden-*"] }],
      owners: ["123456789012"],
      mostRecent: true,
    });
    const template = single(run, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
    assert.equal(template.imageId, lookup.result.id);
    assert.equal(template.instanceType, "m6i.xlarge");
    assert.equal(template.keyName, undefined);
  });

  it("puts an internet-facing NLB in the public subnets, declaring 2 active", () => {
    const nlb = single(run, "aws:lb/loadBalancer:LoadBalancer").inputs;
    assert.equal(nlb.internal, false);
    assert.deepEqual(nlb.subnets, PUBLIC_SUBNETS);
    assert.deepEqual(nlb.tags, { [CAPACITY_TAG_KEY]: "2" });
    assert.equal(nlb.enableCrossZoneLoadBalancing, true);
  });

  it("sizes the group at 2 active + 2 standby in the private subnets", () => {
    const group = single(run, "aws:autoscaling/group:Group").inputs;
    assert.deepEqual(
      [group.minSize, group.maxSize, group.desiredCapacity, group.vpcZoneIdentifiers],
      [4, 4, 4, SECOND_CONFIG["warm-standby:subnetIds"]],
    );
    assert.deepEqual(group.suspendedProcesses, ["AddToLoadBalancer"]);
    assert.equal(group.targetGroupArns, undefined);
  });

  it("has one target group, listener and attachment per port, health-checked on 9000", () => {
    const nlbArn = run.outputs.loadBalancerArn;
    const targetGroups = ofType(run, "aws:lb/targetGroup:TargetGroup");
    assert.deepEqual(
      targetGroups.map((tg) => [tg.inputs.port, tg.inputs.protocol, tg.inputs.deregistrationDelay]),
      PORTS.map((port) => [port, "TCP", 0]),
    );
    for (const tg of targetGroups) {
      assert.deepEqual(tg.inputs.healthCheck, {
        enabled: true,
        protocol: "TCP",
        port: "9000",
        interval: 10,
        timeout: 9,
        healthyThreshold: 3,
        unhealthyThreshold: 4,
      });
    }
    assert.deepEqual(
      ofType(run, "aws:lb/listener:Listener").map((l) => [
        l.inputs.loadBalancerArn,
        l.inputs.port,
        l.inputs.defaultActions[0].targetGroupArn,
      ]),
      targetGroups.map((tg, i) => [nlbArn, PORTS[i], tg.state.arn]),
    );
    assert.deepEqual(
      ofType(run, "aws:autoscaling/attachment:Attachment").map((a) => a.inputs.lbTargetGroupArn),
      targetGroups.map((tg) => tg.state.arn),
    );
    assert.deepEqual(
      run.outputs.targetGroupArns,
      targetGroups.map((tg) => tg.state.arn),
    );
  });

  it("opens the three ports and the health-check port to the clients and the public subnets", () => {
    const subnetCidrs = invoke("aws:ec2/getSubnet:getSubnet").map((i) => i.result.cidrBlock);
    assert.deepEqual(
      invoke("aws:ec2/getSubnet:getSubnet").map((i) => i.inputs.id),
      PUBLIC_SUBNETS,
    );
    assert.deepEqual(invoke("aws:ec2/getVpc:getVpc"), [], "allowedCidrs given: no VPC lookup");
    const ingress = single(run, "aws:ec2/securityGroup:SecurityGroup").inputs.ingress;
    assert.deepEqual(
      ingress.map((rule: { fromPort: number; toPort: number; cidrBlocks: string[] }) => [
        rule.fromPort,
        rule.toPort,
        rule.cidrBlocks,
      ]),
      [...PORTS, 9000].map((port) => [
        port,
        port,
        ["203.0.113.0/24", "198.51.100.0/24", ...subnetCidrs],
      ]),
    );
  });

  it("gives the reconciler every target group, the longer grace and its timeout", () => {
    const fn = single(run, "aws:lambda/function:Function").inputs;
    const arns = ofType(run, "aws:lb/targetGroup:TargetGroup").map((tg) => tg.state.arn);
    assert.equal(fn.environment.variables.WS_TARGET_GROUP_ARNS, arns.join(","));
    assert.equal(fn.environment.variables.WS_ACTIVATION_TIMEOUT_SECONDS, "300");
    // 300 s activation + 300 s NLB registration + (3 + 4) checks x 10 s
    assert.equal(fn.environment.variables.WS_PROMOTION_GRACE_SECONDS, "670");
    assert.equal(fn.timeout, 360);
    assert.equal(single(run, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 90);
  });

  it("schedules with the cron expression and starts both services, waiting on port 9000", () => {
    assert.equal(
      single(run, "aws:cloudwatch/eventRule:EventRule", "warm-standby-schedule").inputs
        .scheduleExpression,
      "cron(0/10 * * * ? *)",
    );
    const content = JSON.parse(single(run, "aws:ssm/document:Document").inputs.content);
    assert.equal(content.parameters.services.default, "AcmeBroker,AcmeScheduler");
    assert.equal(content.parameters.applicationPort.default, "9000");
    assert.equal(content.mainSteps[0].inputs.timeoutSeconds, 300);
    const userData = Buffer.from(
      single(run, "aws:ec2/launchTemplate:LaunchTemplate").inputs.userData,
      "base64",
    ).toString("utf8");
    assert.match(userData, /-Services @\('AcmeBroker', 'AcmeScheduler'\)/);
  });

  it("attaches only the SSM core policy when no extra policy is configured", () => {
    assert.deepEqual(
      ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map(
        (a) => a.inputs.policyArn,
      ),
      ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    );
    assert.ok(String(run.outputs.nlbDnsName).endsWith(".elb.us-west-2.amazonaws.com"));
  });
});
