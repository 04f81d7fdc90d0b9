/** Calibration: thresholds, class multipliers, camera sensitivity and the night profile the scorers apply. */
export { calibrationRepository } from './calibration-repository';
export type { Calibration, CalibrationRepository } from './calibration-repository';
export { CalibrationService, DEFAULT_CALIBRATION, applyPatch } from './calibration-service';
export { calibrationHandlers } from './handlers';
