import * as pulumi from "@pulumi/pulumi";
import { lookupAccount } from "./account";
import { createActivationDocument } from "./activationDocumentResource";
import type { WarmStandbyGroupArgs } from "./args";
import { createAutoScalingGroup } from "./autoScalingGroup";
import { createDeadLetterQueue } from "./deadLetterQueue";
import { createEventTriggers } from "./events";
import { createInstanceIdentity } from "./instanceIdentity";
import { createLaunchTemplate } from "./launchTemplate";
import { createLoadBalancer } from "./loadBalancer";
import { createReconcilerFunction } from "./reconcilerFunction";
import { createInstanceSecurityGroup } from "./securityGroup";

export const WARM_STANDBY_GROUP_TYPE = "warm-standby:index:WarmStandbyGroup";

/**
 * Keeps a legacy singleton Windows application available: an Auto Scaling group of warm
 * instances behind an NLB, and a reconciler Lambda that activates and registers at most
 * `activeCapacity` of them at a time.
 */
export class WarmStandbyGroup extends pulumi.ComponentResource {
  public readonly nlbDnsName: pulumi.Output<string>;
  public readonly loadBalancerArn: pulumi.Output<string>;
  public readonly groupName: pulumi.Output<string>;
  public readonly targetGroupArns: pulumi.Output<string[]>;
  public readonly activationDocumentName: pulumi.Output<string>;
  public readonly reconcilerFunctionName: pulumi.Output<string>;

  constructor(name: string, args: WarmStandbyGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = plainArgProblems(args);
    if (problems.length > 0) throw new Error(`WarmStandbyGroup ${name}: ${problems.join("; ")}`);
    super(WARM_STANDBY_GROUP_TYPE, name, {}, opts);

    const account = lookupAccount(this);
    const { profile } = createInstanceIdentity(
      name,
      args.extraInstancePolicyArns,
      account.partition,
      this,
    );
    const { loadBalancer, targetGroups } = createLoadBalancer(name, args, this);
    const securityGroup = createInstanceSecurityGroup(name, args, this);
    const launchTemplate = createLaunchTemplate(name, args, { profile, securityGroup }, this);
    const { group } = createAutoScalingGroup(name, args, { launchTemplate, targetGroups }, this);
    const document = createActivationDocument(name, args, this);
    const deadLetterQueue = createDeadLetterQueue(name, this);
    const reconciler = createReconcilerFunction(
      name,
      args,
      { group, loadBalancer, targetGroups, document, deadLetterQueue, account },
      this,
    );
    createEventTriggers(
      name,
      {
        groupName: group.name,
        reconcileSchedule: args.reconcileSchedule,
        reconciler,
        deadLetterQueue,
      },
      this,
    );

    this.nlbDnsName = loadBalancer.dnsName;
    this.loadBalancerArn = loadBalancer.arn;
    this.groupName = group.name;
    this.targetGroupArns = pulumi.all(targetGroups.map((targetGroup) => targetGroup.arn));
    this.activationDocumentName = document.name;
    this.reconcilerFunctionName = reconciler.name;
    this.registerOutputs({
      nlbDnsName: this.nlbDnsName,
      loadBalancerArn: this.loadBalancerArn,
      groupName: this.groupName,
      targetGroupArns: this.targetGroupArns,
      activationDocumentName: this.activationDocumentName,
      reconcilerFunctionName: this.reconcilerFunctionName,
    });
  }
}

/** Checks of the plain arguments, before any resource exists (stack config is checked earlier). */
function plainArgProblems(args: WarmStandbyGroupArgs): string[] {
  const problems: string[] = [];
  for (const key of ["activeCapacity", "standbyCapacity"] as const) {
    if (!Number.isInteger(args[key]) || args[key] < 1)
      problems.push(`${key} must be an integer >= 1`);
  }
  if (args.ports.length === 0) problems.push("ports must list at least one port");
  if (new Set(args.ports).size !== args.ports.length) problems.push("ports must be distinct");
  if (args.ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) {
    problems.push("ports must be within 1-65535");
  }
  if (args.subnetIds.length === 0) problems.push("subnetIds must list at least one subnet");
  if (args.loadBalancerSubnetIds.length === 0) {
    problems.push("loadBalancerSubnetIds must list at least one subnet");
  }
  return problems;
}
