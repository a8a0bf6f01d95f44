// Errors as the simulated services report them. The HTTP front turns a SimError into the
// protocol's error document, so the SDK maps `code` to the exception's name (and its retry
// strategy recognises the throttling codes); in-process callers of `call()` see the same names.

export type ServiceName = "autoscaling" | "elbv2" | "ssm" | "ec2";

export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** "Sender" (the caller's fault) or "Receiver". */
    readonly fault: "Sender" | "Receiver" = "Sender",
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** The code each service uses when it throttles, as its SDK client sees it. */
export function throttlingError(service: ServiceName): SimError {
  switch (service) {
    case "ssm":
      return new SimError("ThrottlingException", "Rate exceeded");
    case "ec2":
      // EC2 answers 503 for its request-rate limit.
      return new SimError("RequestLimitExceeded", "Request limit exceeded.", "Receiver", 503);
    default:
      return new SimError("Throttling", "Rate exceeded");
  }
}

/** What each service answers to an action it does not know (here: one the simulator lacks). */
export function unknownOperationError(service: ServiceName, operation: string): SimError {
  if (service === "ssm") {
    return new SimError("UnknownOperationException", `Unknown operation ${operation}`);
  }
  return new SimError(
    "InvalidAction",
    `Could not find operation ${operation} (the simulated ${service} does not implement it)`,
  );
}

/** The code each service uses for a request that breaks its input constraints. */
const VALIDATION_CODE: Record<ServiceName, string> = {
  autoscaling: "ValidationError",
  elbv2: "ValidationError",
  ssm: "ValidationException",
  ec2: "InvalidParameterValue",
};

export function validationError(service: ServiceName, message: string): SimError {
  return new SimError(VALIDATION_CODE[service], message);
}
