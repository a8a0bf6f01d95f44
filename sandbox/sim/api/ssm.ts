// Systems Manager API: Run Command for the activation document, and agent status.
import { cancelCommand, sendCommand } from "../commands";
import { SimError, validationError } from "../errors";
import { isTagFilter, tagFilterMatches } from "../fleet";
import { isInFlight, SIM_COMMAND_STATUSES, type SimCommand, type SimInstance } from "../model";
import type { World } from "../world";
import type { InputReader, Operation } from "./input";
import { paginate } from "./paging";

export const ssmOperations: Record<string, Operation> = {
  SendCommand(world, input) {
    const documentName = input.string("DocumentName");
    if (documentName !== world.options.documentName) {
      throw new SimError(
        "InvalidDocument",
        `Document ${documentName} does not exist in your account`,
      );
    }
    const instanceIds = input.strings("InstanceIds");
    if (instanceIds.length !== 1 || input.records("Targets").length > 0) {
      throw new SimError(
        "InvalidParameters",
        "the simulator runs one instance per command: pass exactly one InstanceIds entry",
      );
    }
    const instance = world.instances.get(instanceIds[0]);
    if (!instance || !isManaged(instance)) {
      throw new SimError(
        "InvalidInstanceId",
        `Instances [[${instanceIds[0]}]] not in a valid state for account ${world.options.account}`,
      );
    }
    const comment = input.optionalString("Comment") ?? "";
    if (comment.length > 100) {
      throw validationError(
        "ssm",
        `1 validation error detected: Value '${comment}' at 'comment' failed to satisfy ` +
          "constraint: Member must have length less than or equal to 100",
      );
    }
    const command = sendCommand(world, {
      instanceId: instance.instanceId,
      documentName,
      comment,
      parameters: input.stringListMap("Parameters"),
      timeoutSeconds: input.optionalInt("TimeoutSeconds", 30, 2_592_000) ?? 3600,
    });
    return { Command: commandView(world, command) };
  },

  ListCommands(world, input) {
    const maxResults = input.optionalInt("MaxResults", 1, 50) ?? 50;
    const commandId = input.optionalString("CommandId");
    const instanceId = input.optionalString("InstanceId");
    if (commandId && !world.commands.some((command) => command.commandId === commandId)) {
      throw new SimError("InvalidCommandId", `Command ${commandId} does not exist`);
    }
    const filters = input.records("Filters").map((record) => commandFilter(input.nested(record)));
    const matching = world.commands
      .filter((command) => (commandId ? command.commandId === commandId : true))
      .filter((command) => (instanceId ? command.instanceId === instanceId : true))
      .filter((command) => filters.every((accepts) => accepts(command)))
      .reverse(); // newest first
    const page = paginate(matching, maxResults, input, "InvalidNextToken");
    return {
      Commands: page.items.map((command) => commandView(world, command)),
      NextToken: page.nextToken,
    };
  },

  GetCommandInvocation(world, input) {
    const commandId = input.string("CommandId");
    const instanceId = input.string("InstanceId");
    const command = world.commands.find(
      (candidate) => candidate.commandId === commandId && candidate.instanceId === instanceId,
    );
    // The invocation exists once the agent picked the command up, or once it ended without it.
    if (!command || (command.startedAt === undefined && isInFlight(command))) {
      throw new SimError("InvocationDoesNotExist", "");
    }
    return invocationView(command);
  },

  CancelCommand(world, input) {
    const commandId = input.string("CommandId");
    const command = world.commands.find((candidate) => candidate.commandId === commandId);
    if (!command) throw new SimError("InvalidCommandId", `Command ${commandId} does not exist`);
    const instanceIds = input.strings("InstanceIds");
    if (instanceIds.length > 0 && !instanceIds.includes(command.instanceId)) {
      throw new SimError("InvalidInstanceId", `Command ${commandId} did not target ${instanceIds}`);
    }
    cancelCommand(world, command);
    return {};
  },

  DescribeInstanceInformation(world, input) {
    const maxResults = input.optionalInt("MaxResults", 5, 50) ?? 10;
    const accepts = instanceFilters(world, input);
    const managed = [...world.instances.values()].filter(isManaged).filter(accepts);
    const page = paginate(managed, maxResults, input, "InvalidNextToken");
    return {
      InstanceInformationList: page.items.map((instance) => instanceInformation(world, instance)),
      NextToken: page.nextToken,
    };
  },
};

/** SSM knows an instance once its agent has registered, until the instance is terminated. */
function isManaged(instance: SimInstance): boolean {
  return instance.agentRegistered && instance.ec2State !== "terminated";
}

function commandFilter(filter: InputReader): (command: SimCommand) => boolean {
  const key = filter.string("key");
  const value = filter.string("value");
  const invalid = () => new SimError("InvalidFilterValue", `Invalid value ${value} for ${key}`);
  switch (key) {
    case "DocumentName":
      return (command) => command.documentName === value;
    case "Status":
      if (!(SIM_COMMAND_STATUSES as readonly string[]).includes(value)) throw invalid();
      return (command) => command.status === value;
    case "ExecutionStage":
      if (value !== "Executing" && value !== "Complete") throw invalid();
      return (command) => !isInFlight(command) === (value === "Complete");
    case "InvokedAfter":
    case "InvokedBefore": {
      const time = Date.parse(value);
      if (Number.isNaN(time)) throw invalid();
      return key === "InvokedAfter"
        ? (command) => command.requestedAt >= time
        : (command) => command.requestedAt <= time;
    }
    default:
      throw new SimError("InvalidFilterKey", `Filter key ${key} is not supported`);
  }
}

function instanceFilters(world: World, input: InputReader): (instance: SimInstance) => boolean {
  const filters = input.records("Filters").map((record) => {
    const filter = input.nested(record);
    return { key: filter.string("Key"), values: filter.strings("Values") };
  });
  const legacy = input.records("InstanceInformationFilterList").map((record) => {
    const filter = input.nested(record);
    return { key: filter.string("key"), values: filter.strings("valueSet") };
  });
  if (filters.length > 0 && legacy.length > 0) {
    throw new SimError(
      "InvalidInstanceInformationFilterValue",
      "InstanceInformationFilterList and Filters cannot be used together",
    );
  }
  const all = [...filters, ...legacy];
  const tagFilters = all.filter(({ key }) => isTagFilter(key));
  if (tagFilters.length > 0 && tagFilters.length < all.length) {
    throw new SimError(
      "InvalidInstanceInformationFilterValue",
      "Tag filters can't be combined with other filter types",
    );
  }
  const predicates = all.map(({ key, values }) => instanceFilter(world, key, values));
  return (instance) => predicates.every((accepts) => accepts(instance));
}

function instanceFilter(
  world: World,
  key: string,
  values: string[],
): (instance: SimInstance) => boolean {
  if (key === "InstanceIds") return (instance) => values.includes(instance.instanceId);
  if (key === "PingStatus") return (instance) => values.includes(pingStatus(instance));
  if (isTagFilter(key)) {
    const matches = tagFilterMatches(world, key, values);
    return () => matches;
  }
  throw new SimError("InvalidFilterKey", `Filter key ${key} is not supported by the simulator`);
}

function pingStatus(instance: SimInstance): string {
  return instance.agentOnline ? "Online" : "ConnectionLost";
}

function instanceInformation(world: World, instance: SimInstance): Record<string, unknown> {
  return {
    InstanceId: instance.instanceId,
    PingStatus: pingStatus(instance),
    LastPingDateTime: new Date(instance.agentOnline ? world.now() : instance.lastPingAt),
    AgentVersion: "3.3.1142.0",
    IsLatestVersion: true,
    PlatformType: "Windows",
    PlatformName: "Microsoft Windows Server 2022 Datacenter",
    PlatformVersion: "10.0.20348",
    ResourceType: "EC2Instance",
    IPAddress: instance.privateIpAddress,
    ComputerName: `EC2AMAZ-${instance.instanceId.slice(-7).toUpperCase()}`,
    SourceId: instance.instanceId,
    SourceType: "AWS::EC2::Instance",
  };
}

function commandView(world: World, command: SimCommand): Record<string, unknown> {
  const final = !isInFlight(command);
  const failed = command.status === "Failed" || command.status === "TimedOut";
  return {
    CommandId: command.commandId,
    DocumentName: command.documentName,
    DocumentVersion: "$DEFAULT",
    Comment: command.comment,
    ExpiresAfter: new Date(command.requestedAt + command.timeoutSeconds * 1000),
    Parameters: command.parameters,
    InstanceIds: [command.instanceId],
    Targets: [],
    RequestedDateTime: new Date(command.requestedAt),
    Status: command.status,
    StatusDetails: command.statusDetails,
    OutputS3Region: world.options.region,
    MaxConcurrency: "50",
    MaxErrors: "0",
    TargetCount: 1,
    CompletedCount: final ? 1 : 0,
    ErrorCount: failed ? 1 : 0,
    DeliveryTimedOutCount: command.statusDetails === "DeliveryTimedOut" ? 1 : 0,
    TimeoutSeconds: command.timeoutSeconds,
  };
}

function invocationView(command: SimCommand): Record<string, unknown> {
  const iso = (time: number | undefined) =>
    time === undefined ? "" : new Date(time).toISOString();
  const elapsed =
    command.startedAt === undefined || command.endedAt === undefined
      ? ""
      : `PT${((command.endedAt - command.startedAt) / 1000).toFixed(3)}S`;
  return {
    CommandId: command.commandId,
    InstanceId: command.instanceId,
    Comment: command.comment,
    DocumentName: command.documentName,
    DocumentVersion: "$DEFAULT",
    PluginName: "aws:runPowerShellScript",
    ResponseCode: command.responseCode,
    ExecutionStartDateTime: iso(command.startedAt),
    ExecutionElapsedTime: elapsed,
    ExecutionEndDateTime: iso(command.endedAt),
    Status: command.status,
    StatusDetails: command.statusDetails,
    StandardOutputContent: command.status === "Success" ? "activation complete\n" : "",
    StandardOutputUrl: "",
    StandardErrorContent: command.status === "Failed" ? "activation failed\n" : "",
    StandardErrorUrl: "",
  };
}
