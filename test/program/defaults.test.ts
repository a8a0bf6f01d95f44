// A stack that sets only what is required: the defaults that depend on other values (the VPC's
// CIDR, the first port, subnetIds for the NLB) and the warnings the program logs.
import { strict as assert } from "node:assert";
import { MOCK_VPC_CIDR, runProgram, type ProgramRun } from "../../sandbox/pulumi-mocks";
import { ofType, single } from "./stacks";

const MINIMAL = {
  "aws:region": "eu-west-1",
  "warm-standby:vpcId": "vpc-0a1b2c3d4e5f60718",
  "warm-standby:subnetIds": ["subnet-0a1b2c3d4e5f60001"],
  "warm-standby:amiId": "ami-0c1d2e3f4a5b6c7d8",
  "warm-standby:ports": [7000, 7001],
  // A typo of "ports": nothing reads it.
  "warm-standby:prots": [7002],
};

describe("program: defaults of a minimal stack", () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram(MINIMAL);
  });

  it("warns about the single subnet and the unknown key", () => {
    assert.deepEqual(run.warnings, [
      "warm-standby:subnetIds lists only 1 subnet: a warm standby in the same Availability Zone " +
        "as the active instance fails with it; list one subnet per zone (at least 2)",
      "warm-standby:prots is not a setting of this program and is ignored (a typo?)",
    ]);
  });

  it("lets the VPC's CIDR in when allowedCidrs is empty, and puts the NLB in subnetIds", () => {
    const vpcLookups = run.invokes.filter((i) => i.token === "aws:ec2/getVpc:getVpc");
    assert.deepEqual(
      vpcLookups.map((i) => i.inputs),
      [{ id: "vpc-0a1b2c3d4e5f60718" }],
    );
    const [subnet] = run.invokes.filter((i) => i.token === "aws:ec2/getSubnet:getSubnet");
    assert.deepEqual(subnet.inputs, { id: "subnet-0a1b2c3d4e5f60001" });
    const ingress = single(run, "aws:ec2/securityGroup:SecurityGroup").inputs.ingress;
    assert.deepEqual(
      ingress.map((rule: { fromPort: number; cidrBlocks: string[] }) => [
        rule.fromPort,
        rule.cidrBlocks,
      ]),
      [
        [7000, [MOCK_VPC_CIDR, subnet.result.cidrBlock]],
        [7001, [MOCK_VPC_CIDR, subnet.result.cidrBlock]],
      ],
    );
    assert.deepEqual(single(run, "aws:lb/loadBalancer:LoadBalancer").inputs.subnets, [
      "subnet-0a1b2c3d4e5f60001",
    ]);
  });

  it("health-checks the first port and waits for it on activation", () => {
    for (const targetGroup of ofType(run, "aws:lb/targetGroup:TargetGroup")) {
      assert.equal(targetGroup.inputs.healthCheck.port, "7000");
    }
    const content = JSON.parse(single(run, "aws:ssm/document:Document").inputs.content);
    assert.equal(content.parameters.applicationPort.default, "7000");
    assert.equal(content.parameters.services.default, "");
  });

  it("applies the documented defaults everywhere else", () => {
    const template = single(run, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
    assert.equal(template.instanceType, "m6i.large");
    assert.equal(template.keyName, undefined);
    const group = single(run, "aws:autoscaling/group:Group").inputs;
    assert.deepEqual([group.minSize, group.maxSize, group.desiredCapacity], [2, 2, 2]);
    const nlb = single(run, "aws:lb/loadBalancer:LoadBalancer").inputs;
    assert.equal(nlb.internal, true);
    assert.deepEqual(nlb.tags, { "warm-standby:active-capacity": "1" });
    const [first] = ofType(run, "aws:lb/targetGroup:TargetGroup");
    assert.equal(first.inputs.deregistrationDelay, 30);
    assert.deepEqual(
      [first.inputs.healthCheck.interval, first.inputs.healthCheck.healthyThreshold],
      [5, 2],
    );
    assert.equal(first.inputs.healthCheck.unhealthyThreshold, 2);
    const schedule = single(run, "aws:cloudwatch/eventRule:EventRule", "warm-standby-schedule");
    assert.equal(schedule.inputs.scheduleExpression, "rate(5 minutes)");
    assert.equal(single(run, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 30);
    const fn = single(run, "aws:lambda/function:Function").inputs;
    assert.equal(fn.timeout, 660);
    assert.equal(fn.environment.variables.WS_ACTIVATION_TIMEOUT_SECONDS, "600");
    assert.deepEqual(
      ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map(
        (a) => a.inputs.policyArn,
      ),
      ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    );
  });
});
