// EC2 API (2016-11-15): DescribeInstances, the only EC2 call the reconciler makes.
import { SimError } from "../errors";
import { instanceTags, isTagFilter, tagFilterMatches } from "../fleet";
import type { Ec2State, SimInstance } from "../model";
import type { World } from "../world";
import type { InputReader, Operation } from "./input";
import { paginate } from "./paging";

const STATE_CODES: Record<Ec2State, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
};

export const ec2Operations: Record<string, Operation> = {
  DescribeInstances(world, input) {
    const instanceIds = input.strings("InstanceIds");
    const maxResults = input.optionalInt("MaxResults", 5, 1000);
    if (instanceIds.length > 0 && maxResults !== undefined) {
      throw new SimError(
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
      );
    }
    for (const id of instanceIds) {
      if (!/^i-[0-9a-f]{8,17}$/.test(id)) {
        throw new SimError("InvalidInstanceID.Malformed", `Invalid id: "${id}"`);
      }
      if (!world.instances.has(id)) {
        throw new SimError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
      }
    }
    const accepts = filters(world, input);
    const matching = [...world.instances.values()]
      .filter((instance) => instanceIds.length === 0 || instanceIds.includes(instance.instanceId))
      .filter(accepts);
    const page = paginate(matching, maxResults ?? 1000, input, "InvalidParameterValue");
    return {
      // The group launches instances one by one: one reservation each.
      Reservations: page.items.map((instance) => ({
        ReservationId: `r-0${instance.instanceId.slice(3)}`,
        OwnerId: world.options.account,
        Groups: [],
        Instances: [instanceView(world, instance)],
      })),
      NextToken: page.nextToken,
    };
  },
};

function filters(world: World, input: InputReader): (instance: SimInstance) => boolean {
  const predicates = input.records("Filters").map((record) => {
    const filter = input.nested(record);
    const name = filter.string("Name");
    const values = filter.strings("Values");
    if (name === "instance-id") return (i: SimInstance) => values.includes(i.instanceId);
    if (name === "instance-state-name") return (i: SimInstance) => values.includes(i.ec2State);
    if (name === "availability-zone") {
      return (i: SimInstance) => values.includes(i.availabilityZone);
    }
    if (isTagFilter(name)) {
      const matches = tagFilterMatches(world, name, values);
      return () => matches;
    }
    throw new SimError("InvalidParameterValue", `The filter '${name}' is invalid`);
  });
  return (instance) => predicates.every((accepts) => accepts(instance));
}

function instanceView(world: World, instance: SimInstance): Record<string, unknown> {
  const running = instance.ec2State !== "terminated";
  return {
    InstanceId: instance.instanceId,
    ImageId: "ami-0123456789abcdef0",
    State: { Code: STATE_CODES[instance.ec2State], Name: instance.ec2State },
    InstanceType: "m5.large",
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: instance.availabilityZone, GroupName: "", Tenancy: "default" },
    PrivateIpAddress: running ? instance.privateIpAddress : undefined,
    SubnetId: instance.subnetId,
    VpcId: "vpc-0123456789abcdef0",
    Platform: "windows",
    PlatformDetails: "Windows",
    Architecture: "x86_64",
    Tags: instanceTags(world),
  };
}
