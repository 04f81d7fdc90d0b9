import type { HandlersFor } from '../common/handlers';
import type { MediaService } from './media-service';

export function mediaHandlers(media: MediaService): HandlersFor<'cameras.snapshots'> {
  return { 'cameras.snapshots': () => media.snapshots() };
}
