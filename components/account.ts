import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where the stack deploys: what ARNs that cannot be read from a resource are built from. */
export interface Account {
  partition: pulumi.Output<string>;
  region: pulumi.Output<string>;
  accountId: pulumi.Output<string>;
}

export function lookupAccount(parent: pulumi.Resource): Account {
  const opts = { parent };
  return {
    partition: aws.getPartitionOutput({}, opts).partition,
    region: aws.getRegionOutput({}, opts).region,
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
  };
}
