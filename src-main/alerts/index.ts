/** Alerts: rules evaluated on every event, alerts with their deliveries, dry runs. */
export { alertRepository } from './alert-repository';
export type { AlertRepository } from './alert-repository';
export { AlertService, RECALIBRATED } from './alert-service';
export type { RuleShifts, ScoreShift } from './alert-service';
export { alertHandlers } from './handlers';
export { flipsAnyRule } from './rule-engine';
