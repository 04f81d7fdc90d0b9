/** Telemetry: machine and inference samples (GPU or CPU), per-stage pipeline latency. */
export { telemetryRepository } from './telemetry-repository';
export type { TelemetryRepository } from './telemetry-repository';
export { TelemetryService } from './telemetry-service';
export { telemetryHandlers } from './handlers';
export { parseNvidiaSmi } from './machine-sampler';
