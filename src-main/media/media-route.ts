import { AppError } from '../../src-shared/errors';
import type { MediaBody, MediaService } from './media-service';

/**
 * `/api/media/images/<id>` and `/api/media/detections/<id>` (`?boxes=1` draws the boxes),
 * shared by the HTTP bridge and Electron's app:// protocol. Undefined: not a media path;
 * failures throw (the transport's error responder answers them).
 */
export async function mediaRequest(media: MediaService, url: URL): Promise<MediaBody | undefined> {
  const m = /^\/api\/media\/(images|detections)\/([^/]+)$/.exec(url.pathname);
  if (!m) return undefined;
  const boxes = url.searchParams.get('boxes') === '1';
  if (m[1] === 'images') {
    const id = Number(m[2]);
    if (!Number.isInteger(id) || id < 1) throw new AppError('not_found', 'No such image');
    return media.image(id, { boxes });
  }
  let id: string;
  try {
    id = decodeURIComponent(m[2]!);
  } catch {
    throw new AppError('not_found', 'No such detection');
  }
  return media.detectionImage(id, { boxes });
}
