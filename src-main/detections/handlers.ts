import type { HandlersFor } from '../common/handlers';
import type { DetectionRepository } from './detection-repository';

export function detectionHandlers(detections: DetectionRepository): HandlersFor<'detections.list'> {
  return { 'detections.list': (filter) => detections.list(filter) };
}
