import type { HandlersFor } from '../common/handlers';
import type { RumService } from './rum-service';

export function rumHandlers(rum: RumService): HandlersFor<'rum.ingest' | 'rum.summary'> {
  return {
    'rum.ingest': ({ metrics }) => rum.ingest(metrics),
    'rum.summary': (range) => rum.summary(range),
  };
}
