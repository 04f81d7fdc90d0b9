import type { HandlersFor } from '../common/handlers';
import type { IngestRepository } from './ingest-repository';
import type { IngestService } from './ingest-service';

export function ingestHandlers(d: {
  ingest: IngestService;
  images: IngestRepository;
}): HandlersFor<
  | 'ingest.importFiles'
  | 'ingest.status'
  | 'ingest.quarantine.list'
  | 'ingest.pause'
  | 'ingest.resume'
> {
  return {
    'ingest.pause': () => d.ingest.pauseByUser(true),
    'ingest.resume': () => d.ingest.pauseByUser(false),
    'ingest.importFiles': ({ cameraId, paths }) => d.ingest.importFiles(cameraId, paths),
    'ingest.status': () => d.ingest.status(),
    'ingest.quarantine.list': ({ cameraId, limit }) => d.images.quarantined(cameraId, limit ?? 100),
  };
}
