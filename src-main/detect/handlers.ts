import type { HandlersFor } from '../common/handlers';
import type { ObjectDetector } from './detector';
import type { ModelDownloads } from './model-downloads';

export function detectorHandlers(
  detector: ObjectDetector,
  downloads: ModelDownloads,
): HandlersFor<'detector.status' | 'detector.models' | 'detector.download'> {
  return {
    'detector.status': () => detector.status(),
    'detector.models': () => downloads.list(),
    'detector.download': ({ name }) => downloads.download(name),
  };
}
