// The warm-standby program: the stack config, checked as a whole, drives one WarmStandbyGroup.
import { readStackConfig } from "./components/config";
import { WarmStandbyGroup } from "./components/warmStandbyGroup";

// activationScript is relative to the project directory, the one holding Pulumi.yaml and this file.
const args = readStackConfig(__dirname);
const warmStandby = new WarmStandbyGroup("warm-standby", args);

export const nlbDnsName = warmStandby.nlbDnsName;
export const loadBalancerArn = warmStandby.loadBalancerArn;
export const groupName = warmStandby.groupName;
export const targetGroupArns = warmStandby.targetGroupArns;
export const activationDocumentName = warmStandby.activationDocumentName;
export const reconcilerFunctionName = warmStandby.reconcilerFunctionName;
