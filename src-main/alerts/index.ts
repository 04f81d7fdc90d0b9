/** Alerts: rules evaluated on every event, alerts with their deliveries, dry runs. */
export { alertRepository } from './alert-repository';
export type { AlertRepository } from './alert-repository';
export { AlertService } from './alert-service';
export { alertHandlers } from './handlers';
