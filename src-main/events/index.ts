/** Events: closed batches scored into events, the timeline's queries, review and feedback. */
export { eventRepository } from './event-repository';
export { objectClassesOf } from './object-classes';
export type { ScoreChange, ScoreRow } from './recalibration-rows';
export type { EventRepository, FtsStrategy, FtsTuning } from './event-repository';
export { EventService } from './event-service';
export type { RescoreOutcome } from './event-service';
export { RESCORE_JOB, RescoreJobs } from './rescore-jobs';
export type { EventSource, EventTuple, DetectionTuple } from './event-source';
export { eventHandlers } from './handlers';
