import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { activationDocumentContent } from "./activationDocument";
import type { WarmStandbyGroupArgs } from "./args";

/** The SSM Command document the reconciler runs on a warm instance to make it the active one. */
export function createActivationDocument(
  name: string,
  args: WarmStandbyGroupArgs,
  parent: pulumi.Resource,
): aws.ssm.Document {
  const content = pulumi
    .all([
      args.activationScript,
      args.activationServices,
      args.healthCheckPort,
      args.activationTimeoutSeconds,
    ])
    .apply(([script, services, applicationPort, timeoutSeconds]) =>
      JSON.stringify(
        activationDocumentContent({ script, services, applicationPort, timeoutSeconds }),
      ),
    );
  return new aws.ssm.Document(
    `${name}-activate`,
    { documentType: "Command", documentFormat: "JSON", content },
    { parent },
  );
}
