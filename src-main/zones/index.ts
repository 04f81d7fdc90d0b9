/** Zones: polygons and lines drawn on a camera's view. */
export { zoneRepository } from './zone-repository';
export type { ZoneRepository } from './zone-repository';
export { ZoneService } from './zone-service';
export { zoneHandlers } from './handlers';
export { inIgnoreZone } from './ignore-zones';
