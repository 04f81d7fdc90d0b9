import type { HandlersFor } from '../common/handlers';
import type { DetectionRepository } from '../detections';
import type { EventRepository } from './event-repository';
import type { EventService } from './event-service';

export function eventHandlers(d: {
  events: EventService;
  repo: EventRepository;
  detections: DetectionRepository;
}): HandlersFor<
  | 'events.list'
  | 'events.get'
  | 'events.update'
  | 'events.bulkUpdate'
  | 'events.stats'
  | 'events.feedback'
  | 'events.ignoreOffer'
  | 'feedback.stats'
> {
  return {
    'events.list': (filter) => d.repo.list(filter),
    'events.get': async ({ id }) => ({
      ...(await d.events.get(id)),
      detections: await d.detections.forEvent(id),
    }),
    'events.update': ({ id, ...patch }) => d.events.review(id, patch),
    'events.bulkUpdate': ({ ids, reviewed }) => d.events.reviewMany(ids, reviewed),
    'events.stats': (filter) => d.repo.stats(filter),
    'events.feedback': (input) => d.events.feedback(input),
    'events.ignoreOffer': ({ id }) => d.events.ignoreOffer(id),
    'feedback.stats': (range) => d.repo.feedbackStats(range),
  };
}
