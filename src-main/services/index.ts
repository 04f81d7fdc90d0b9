/**
 * The services supervisor: every long-running part of the app, and the local servers the
 * user runs beside it, started in dependency order, health-checked, restarted with backoff.
 */
export { ServiceSupervisor } from './supervisor';
export type { ProbeResult, ServiceSpec } from './supervisor';
export { serviceRepository } from './service-repository';
export type { ServiceRepository } from './service-repository';
export { serviceHandlers } from './handlers';
