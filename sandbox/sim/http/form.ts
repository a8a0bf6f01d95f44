// Query-protocol request bodies (application/x-www-form-urlencoded) back to SDK-shaped inputs.
//   awsQuery: Targets.member.1.Id=i-1          -> { Targets: [{ Id: "i-1" }] }
//   ec2Query: InstanceId.1=i-1                 -> { InstanceIds: ["i-1"] }
//             Filter.1.Name=n&Filter.1.Value.1=v -> { Filters: [{ Name: "n", Values: ["v"] }] }
// Values stay strings; the operations convert what they read.

export interface QueryRequest {
  action: string;
  version: string;
  input: Record<string, unknown>;
}

/** ec2Query names list members by their singular wire name; the SDK's shapes use these. */
const EC2_LIST_NAMES: Record<string, string> = {
  InstanceId: "InstanceIds",
  Filter: "Filters",
  Value: "Values",
};

type Node = Record<string, unknown> | unknown[];

export function parseQueryForm(body: string): QueryRequest {
  const params = new URLSearchParams(body);
  const input: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (key === "Action" || key === "Version") continue;
    // "member" only marks a list item in awsQuery; the number after it is the position.
    const path = key.split(".").filter((segment) => segment !== "member");
    assign(input, path, value);
  }
  const version = params.get("Version") ?? "";
  return {
    action: params.get("Action") ?? "",
    version,
    input: version === "2016-11-15" ? renameEc2Lists(input) : input,
  };
}

function assign(root: Node, path: string[], value: string): void {
  let node: Node = root;
  path.forEach((segment, depth) => {
    const key: string | number = /^\d+$/.test(segment) ? Number(segment) - 1 : segment;
    const last = depth === path.length - 1;
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    if (container[key] === undefined || typeof container[key] !== "object") {
      container[key] = /^\d+$/.test(path[depth + 1]) ? [] : {};
    }
    node = container[key] as Node;
  });
}

function renameEc2Lists(value: unknown): Record<string, unknown> {
  return rename(value) as Record<string, unknown>;
}

function rename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rename);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      Array.isArray(child) ? (EC2_LIST_NAMES[key] ?? key) : key,
      rename(child),
    ]),
  );
}
