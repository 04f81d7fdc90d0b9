import type { HandlersFor } from '../common/handlers';
import type { ZoneService } from './zone-service';

export function zoneHandlers(
  zones: ZoneService,
): HandlersFor<'zones.list' | 'zones.create' | 'zones.update' | 'zones.delete'> {
  return {
    'zones.list': ({ cameraId }) => zones.list(cameraId),
    'zones.create': (input) => zones.create(input),
    'zones.update': (input) => zones.update(input),
    'zones.delete': ({ id }) => zones.delete(id),
  };
}
