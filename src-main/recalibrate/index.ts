/** Re-evaluation: a new calibration previewed, suggested from labels, and applied as a job. */
export {
  RecalibrationService,
  RECALIBRATE_JOB,
  defaultScope,
  scopesOverlap,
} from './recalibration-service';
export { recalibrationHandlers } from './handlers';
