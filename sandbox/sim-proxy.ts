// An HTTP proxy in front of the simulator's server. Two uses, both without touching the simulator:
// - the bench delays every request by a fixed latency (a network round trip to AWS);
// - the story runs the simulator on a virtual clock and lets each request move it forward (an API
//   round trip, or a poll interval), so that the serialized handler's calls cost modeled time.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxyRequest {
  /** "AmazonSSM.GetCommandInvocation" (JSON protocol) or the query protocols' Action. */
  operation: string;
  /** Requests being forwarded when this one arrived (0: it starts a new round trip). */
  inFlight: number;
}

export interface ProxyOptions {
  /** Real delay before forwarding each request. */
  latencyMs?: number;
  /** Called when a request arrives, before it is forwarded. */
  onRequest?: (request: ProxyRequest) => void;
}

export interface SimProxy {
  url: string;
  /** Requests forwarded so far. */
  count(): number;
  close(): Promise<void>;
}

export async function startSimProxy(
  targetUrl: string,
  options: ProxyOptions = {},
): Promise<SimProxy> {
  const target = new URL(targetUrl);
  let forwarded = 0;
  let inFlight = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      options.onRequest?.({ operation: operationOf(request.headers, body), inFlight });
      inFlight++;
      response.on("close", () => inFlight--);
      setTimeout(() => {
        forwarded++;
        const upstream = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: request.method,
            path: request.url,
            headers: { ...request.headers, host: target.host },
          },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        upstream.on("error", (err) => {
          response.writeHead(502);
          response.end(String(err));
        });
        upstream.end(body);
      }, options.latencyMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** SSM names its operation in X-Amz-Target; the query protocols in the form body's Action. */
export function operationOf(headers: http.IncomingHttpHeaders, body: Buffer): string {
  const target = headers["x-amz-target"];
  if (typeof target === "string") return target;
  const action = new URLSearchParams(body.toString("utf8")).get("Action");
  return action ?? "unknown";
}
