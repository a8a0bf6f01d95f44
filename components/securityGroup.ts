import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WarmStandbyGroupArgs } from "./args";

/**
 * The instances' security group: the application ports and the health-check port from the allowed
 * networks (the NLB keeps client addresses for instance targets) and from the NLB's own subnets
 * (its health checks come from its nodes there); out, only HTTPS, which the SSM agent needs.
 */
export function createInstanceSecurityGroup(
  name: string,
  args: WarmStandbyGroupArgs,
  parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
  const allowed =
    args.allowedCidrs ??
    aws.ec2.getVpcOutput({ id: args.vpcId }, { parent }).cidrBlock.apply((c) => [c]);
  const loadBalancerCidrs = args.loadBalancerSubnetIds.map(
    (id) => aws.ec2.getSubnetOutput({ id }, { parent }).cidrBlock,
  );
  const ingress = pulumi
    .all([args.healthCheckPort, allowed, loadBalancerCidrs])
    .apply(([healthCheckPort, clients, nlb]) =>
      unique([...args.ports, healthCheckPort]).map((port) => ({
        description: `TCP ${port} from clients and the load balancer`,
        protocol: "tcp",
        fromPort: port,
        toPort: port,
        // AWS refuses a rule that lists the same CIDR twice.
        cidrBlocks: unique([...clients, ...nlb]),
      })),
    );
  return new aws.ec2.SecurityGroup(
    `${name}-instances`,
    {
      description: "warm-standby instances: application ports in, HTTPS out for SSM",
      vpcId: args.vpcId,
      ingress,
      egress: [
        {
          description: "HTTPS to the SSM endpoints",
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ["0.0.0.0/0"],
        },
      ],
    },
    { parent },
  );
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
