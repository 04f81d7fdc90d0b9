/** Events: closed batches scored into events, the timeline's queries, review and feedback. */
export { eventRepository, objectClassesOf } from './event-repository';
export type { EventRepository, FtsStrategy, FtsTuning } from './event-repository';
export { EventService } from './event-service';
export type { EventSource, EventTuple, DetectionTuple } from './event-source';
export { eventHandlers } from './handlers';
