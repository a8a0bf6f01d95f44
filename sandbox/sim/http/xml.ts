// XML documents of the two query protocols, as the SDK's XML deserializer reads them.
//   awsQuery (Auto Scaling, ELBv2): <OpResponse><OpResult>..</OpResult><ResponseMetadata>..;
//     element names = member names; list items <member>.
//   ec2Query: <OpResponse><requestId/>..</OpResponse>, no Result wrapper; element names are the
//     members' lowerCamel wire names (a few renamed, e.g. Reservations -> reservationSet);
//     list items <item>.
// Timestamps are ISO-8601; undefined members are left out.

export type XmlFlavour = "query" | "ec2";

const NAMESPACES: Record<string, string> = {
  "2011-01-01": "http://autoscaling.amazonaws.com/doc/2011-01-01/",
  "2015-12-01": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  "2016-11-15": "http://ec2.amazonaws.com/doc/2016-11-15/",
};

/** ec2Query wire names that are not just the member name with a lower-case first letter. */
const EC2_ELEMENT_NAMES: Record<string, string> = {
  Reservations: "reservationSet",
  Instances: "instancesSet",
  Groups: "groupSet",
  Tags: "tagSet",
  State: "instanceState",
};

export function xmlResponse(
  flavour: XmlFlavour,
  operation: string,
  version: string,
  output: Record<string, unknown>,
  requestId: string,
): string {
  const open = `<${operation}Response xmlns="${NAMESPACES[version] ?? ""}">`;
  const close = `</${operation}Response>`;
  if (flavour === "ec2") {
    return `${open}<requestId>${requestId}</requestId>${members(flavour, output)}${close}`;
  }
  const result = `<${operation}Result>${members(flavour, output)}</${operation}Result>`;
  const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  return `${open}${result}${metadata}${close}`;
}

export function xmlError(
  flavour: XmlFlavour,
  code: string,
  message: string,
  fault: string,
  requestId: string,
): string {
  const text = `<Code>${escape(code)}</Code><Message>${escape(message)}</Message>`;
  if (flavour === "ec2") {
    return `<Response><Errors><Error>${text}</Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  }
  return (
    `<ErrorResponse><Error><Type>${fault}</Type>${text}</Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function members(flavour: XmlFlavour, value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([name, child]) => element(flavour, elementName(flavour, name), child))
    .join("");
}

function element(flavour: XmlFlavour, name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  return `<${name}>${content(flavour, value)}</${name}>`;
}

function content(flavour: XmlFlavour, value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const item = flavour === "ec2" ? "item" : "member";
    return value.map((entry) => element(flavour, item, entry)).join("");
  }
  if (typeof value === "object" && value !== null) {
    return members(flavour, value as Record<string, unknown>);
  }
  return escape(String(value));
}

function elementName(flavour: XmlFlavour, name: string): string {
  if (flavour === "query") return name;
  return EC2_ELEMENT_NAMES[name] ?? name.charAt(0).toLowerCase() + name.slice(1);
}

function escape(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
