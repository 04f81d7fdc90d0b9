/** Detections: every object the detector found, by image and by event. */
export { detectionRepository } from './detection-repository';
export type { DetectionRepository, NewDetectionRow } from './detection-repository';
export { detectionHandlers } from './handlers';
