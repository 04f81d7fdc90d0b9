/** Calibration: thresholds, class multipliers and camera sensitivity the scorers apply. */
export { calibrationRepository } from './calibration-repository';
export type { Calibration, CalibrationRepository } from './calibration-repository';
