// The simulated AWS: see README.md in this folder.
export { VirtualClock, realClock, VIRTUAL_EPOCH, type Clock } from "./clock";
export { SimError, type ServiceName } from "./errors";
export {
  isTerminateEvent,
  type AutoScalingEvent,
  type LifecycleActionEvent,
  type ScalingActivityEvent,
} from "./events";
export { DRAIN_OVER_NOTE } from "./fleet";
export type { HistoryEntry } from "./model";
export {
  DEFAULT_TIME_SCALE,
  DEFAULT_TIMINGS,
  REALISTIC_TIMINGS,
  scaleTimings,
  type ActivationBehaviour,
  type SimOptions,
  type Timings,
} from "./options";
export {
  SimulatedAws,
  type CallRecord,
  type CommandView,
  type InstanceView,
  type RegistrationView,
  type ThrottleRule,
} from "./simulated-aws";
export { startSimServer, type SimServer } from "./http/server";
export { sdkClientsFor, sdkEnvFor, SIM_REGION, type SimClients } from "./clients";
