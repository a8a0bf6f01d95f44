// The simulated AWS over HTTP, on 127.0.0.1 with an ephemeral port: one endpoint for all four
// services (what AWS_ENDPOINT_URL gives every SDK client), routed by protocol:
// - awsJson1_1 (SSM): X-Amz-Target "AmazonSSM.<Operation>", JSON body;
// - awsQuery / ec2Query: form body with Action and Version (the API version names the service).
// Signatures are not checked.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { SimError, type ServiceName } from "../errors";
import type { SimulatedAws } from "../simulated-aws";
import { parseQueryForm } from "./form";
import { xmlError, xmlResponse, type XmlFlavour } from "./xml";

export interface SimServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

const QUERY_SERVICES: Record<string, { service: ServiceName; flavour: XmlFlavour }> = {
  "2011-01-01": { service: "autoscaling", flavour: "query" },
  "2015-12-01": { service: "elbv2", flavour: "query" },
  "2016-11-15": { service: "ec2", flavour: "ec2" },
};

const SSM_TARGET_PREFIX = "AmazonSSM.";

interface Reply {
  status: number;
  contentType: string;
  body: string;
  errorType?: string;
}

export async function startSimServer(sim: SimulatedAws): Promise<SimServer> {
  const server = createServer((request, response) => {
    void serve(sim, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps connections alive; close them or close() waits for their timeout.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function serve(
  sim: SimulatedAws,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request);
  const requestId = randomUUID();
  const target = request.headers["x-amz-target"];
  const reply =
    typeof target === "string" && target.startsWith(SSM_TARGET_PREFIX)
      ? answerJson(sim, target.slice(SSM_TARGET_PREFIX.length), body)
      : answerQuery(sim, body, requestId);
  response.writeHead(reply.status, {
    "content-type": reply.contentType,
    "x-amzn-requestid": requestId,
    ...(reply.errorType ? { "x-amzn-errortype": reply.errorType } : {}),
  });
  response.end(reply.body);
}

function answerJson(sim: SimulatedAws, operation: string, body: string): Reply {
  const contentType = "application/x-amz-json-1.1";
  try {
    const input = body.trim() === "" ? {} : (JSON.parse(body) as Record<string, unknown>);
    const output = sim.call("ssm", operation, input);
    return { status: 200, contentType, body: JSON.stringify(output, epochSeconds) };
  } catch (error) {
    const { code, message, httpStatus } = asSimError(error);
    return {
      status: httpStatus,
      contentType,
      body: JSON.stringify({ __type: code, message }),
      errorType: code,
    };
  }
}

function answerQuery(sim: SimulatedAws, body: string, requestId: string): Reply {
  const contentType = "text/xml";
  const { action, version, input } = parseQueryForm(body);
  const route = QUERY_SERVICES[version];
  try {
    if (!route) {
      throw new SimError(
        "InvalidAction",
        `The simulator serves no API version '${version}' (action '${action}')`,
      );
    }
    const output = sim.call(route.service, action, input);
    return {
      status: 200,
      contentType,
      body: xmlResponse(route.flavour, action, version, output, requestId),
    };
  } catch (error) {
    const { code, message, fault, httpStatus } = asSimError(error);
    const flavour = route?.flavour ?? "query";
    return {
      status: httpStatus,
      contentType,
      body: xmlError(flavour, code, message, fault, requestId),
    };
  }
}

/** A bug in the simulator reaches the caller as a 500 that names it, and is printed. */
function asSimError(error: unknown): SimError {
  if (error instanceof SimError) return error;
  console.error("simulated AWS: internal error", error);
  const message = error instanceof Error ? error.message : String(error);
  return new SimError("InternalFailure", `simulator error: ${message}`, "Receiver", 500);
}

/** JSON replacer: SSM's JSON protocol sends timestamps as epoch seconds. */
function epochSeconds(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Date ? original.getTime() / 1000 : value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
