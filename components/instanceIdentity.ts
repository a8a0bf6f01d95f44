import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "./iam";

/** The instances' role and profile: SSM management (Run Command) plus the user's extra policies. */
export function createInstanceIdentity(
  name: string,
  extraPolicyArns: pulumi.Input<string>[],
  partition: pulumi.Output<string>,
  parent: pulumi.Resource,
): { role: aws.iam.Role; profile: aws.iam.InstanceProfile } {
  const role = new aws.iam.Role(
    `${name}-instance`,
    {
      description: "warm-standby instances: SSM agent (Run Command activation) and extra policies",
      assumeRolePolicy: JSON.stringify(assumeRolePolicy("ec2.amazonaws.com")),
    },
    { parent },
  );
  const ssmCore = pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`;
  [ssmCore, ...extraPolicyArns].forEach(
    (policyArn, index) =>
      new aws.iam.RolePolicyAttachment(
        index === 0 ? `${name}-ssm-core` : `${name}-extra-${index}`,
        { role: role.name, policyArn },
        { parent },
      ),
  );
  const profile = new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name }, { parent });
  return { role, profile };
}
