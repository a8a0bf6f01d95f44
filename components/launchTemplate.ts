import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AmiSource, WarmStandbyGroupArgs } from "./args";
import { warmupUserData } from "./userData";

/** The warm-up script run once at first boot: prepares the instance, keeps the app stopped. */
export const WARMUP_SCRIPT_PATH = path.join(__dirname, "..", "scripts", "warmup.ps1");

/** The golden AMI, always looked up: its root device name is needed for the root volume. */
export function lookupAmi(ami: AmiSource, parent: pulumi.Resource) {
  const args =
    "imageId" in ami
      ? { filters: [{ name: "image-id", values: [ami.imageId] }] }
      : {
          filters: [{ name: "name", values: [ami.namePattern] }],
          owners: ami.owners,
          mostRecent: true,
        };
  return aws.ec2.getAmiOutput(args, { parent });
}

export function createLaunchTemplate(
  name: string,
  args: WarmStandbyGroupArgs,
  deps: { profile: aws.iam.InstanceProfile; securityGroup: aws.ec2.SecurityGroup },
  parent: pulumi.Resource,
): aws.ec2.LaunchTemplate {
  const ami = lookupAmi(args.ami, parent);
  const warmupScript = fs.readFileSync(WARMUP_SCRIPT_PATH, "utf8");
  const userData = pulumi
    .output(args.activationServices)
    .apply((services) =>
      Buffer.from(warmupUserData({ script: warmupScript, services })).toString("base64"),
    );
  const tags = { Name: name };
  return new aws.ec2.LaunchTemplate(
    name,
    {
      description:
        "warm-standby: golden AMI, warmed up at boot, application stopped until activated",
      imageId: ami.id,
      instanceType: args.instanceType,
      keyName: args.keyName,
      iamInstanceProfile: { arn: deps.profile.arn },
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
      },
      blockDeviceMappings: [
        {
          deviceName: ami.rootDeviceName,
          ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      networkInterfaces: [
        {
          deviceIndex: 0,
          associatePublicIpAddress: "false",
          securityGroups: [deps.securityGroup.id],
          deleteOnTermination: "true",
        },
      ],
      tagSpecifications: [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
      ],
      userData,
      updateDefaultVersion: true,
    },
    { parent },
  );
}
