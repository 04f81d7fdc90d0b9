import type { DomainEventBus } from '../common/domain-events';
import type { PushBus } from '../common/push-bus';
import { redactSettings } from '../system';

/**
 * The UI's view of the domain events: which facts reach connected windows, under which push
 * names (`PushMessage` in the contract), with secrets removed. Returns the unsubscribe.
 */
export function relayPushes(events: DomainEventBus, push: PushBus): () => void {
  const offs = [
    events.on('image.processed', (i) =>
      push.emit('detections.created', {
        cameraId: i.cameraId,
        imageId: i.imageId,
        count: i.detections.length,
      }),
    ),
    events.on('ingest.statusChanged', (s) => push.emit('ingest.status', s)),
    events.on('detector.statusChanged', (s) => push.emit('detector.status', s)),
    events.on('camera.changed', (c) => push.emit('camera.status', c)),
    events.on('camera.deleted', (c) => push.emit('camera.deleted', c)),
    events.on('event.created', (e) => push.emit('event.created', e)),
    events.on('event.rescored', (e) => push.emit('event.updated', e)),
    events.on('event.reviewed', (e) => push.emit('event.updated', e)),
    events.on('events.recalibrated', (r) =>
      push.emit('events.updated', { reason: 'recalibrated', ...r }),
    ),
    events.on('job.changed', (j) => push.emit('job.progress', j)),
    events.on('service.changed', (s) => push.emit('service.status', s)),
    events.on('service.removed', (s) => push.emit('service.removed', s)),
    events.on('mqtt.changed', (s) => push.emit('mqtt.status', s)),
    events.on('alert.created', (a) => push.emit('alert.created', a)),
    events.on('alert.resolved', (a) => push.emit('alert.updated', a)),
    events.on('delivery.changed', (d) => push.emit('delivery.updated', d)),
    events.on('desktop.notified', (n) => push.emit('notification.desktop', n)),
    events.on('export.changed', (j) => push.emit('export.progress', j)),
    events.on('settings.changed', (s) => push.emit('settings.updated', redactSettings(s.next))),
  ];
  return () => offs.forEach((off) => off());
}
