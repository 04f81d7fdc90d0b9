import type { HandlersFor } from '../common/handlers';
import type { ObjectDetector } from './detector';

export function detectorHandlers(detector: ObjectDetector): HandlersFor<'detector.status'> {
  return { 'detector.status': () => detector.status() };
}
