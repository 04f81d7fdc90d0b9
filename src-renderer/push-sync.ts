/**
 * Every push subscription of the renderer, in one place: each push event updates (or
 * refreshes) what the query cache holds, so every page showing it follows along. React-free;
 * `AppProviders` starts it once.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { EventFilter, HsiClient } from '../src-shared/contract';
import type {
  DetectorStatus,
  EventStats,
  IngestStatus,
  SecurityEvent,
  SystemHealth,
} from '../src-shared/domain';
import type { MqttStatus } from '../src-shared/mqtt';
import type { Settings } from '../src-shared/settings';
import { compareNewestFirst, toEventFilter as filterOf } from './event-filters';
import type { EventPages } from './server-state';
import {
  bumpStats,
  cacheAlert,
  cacheCamera,
  cacheDelivery,
  cacheExportJob,
  cacheJob,
  cacheRescoredEvents,
  cacheService,
  uncacheService,
  cacheUpdatedEvent,
  eventMatches,
  insertEvent,
  keys,
  readAgainIfLoading,
  uncacheCamera,
} from './server-state';
import { useEventsView } from './stores/events-view';
import { useToasts } from './stores/toasts';

/** How many events the dashboard's activity feed shows. */
export const FEED_SIZE = 10;
/** The dashboard gauge looks this far back. */
export const GAUGE_WINDOW_MS = 60 * 60 * 1000;
/** Snapshot pushes can come many times a second; refresh the snapshots at most this often. */
const SNAPSHOT_REFRESH_MS = 300;
/** Job pushes come every 250 ms while one runs; read the dead letters again at most this often. */
const DEAD_LETTERS_REFRESH_MS = 1000;
/** MQTT status pushes come with every message sent; read the last messages at most this often. */
const MQTT_MESSAGES_REFRESH_MS = 500;

/** The gauge's event: the highest score of the last hour. */
function considerForGauge(qc: QueryClient, event: SecurityEvent): void {
  if (Date.parse(event.startedAt) < Date.now() - GAUGE_WINDOW_MS) return;
  qc.setQueryData<SecurityEvent | null>(keys.riskGauge, (current) => {
    if (current === undefined) return current;
    if (current?.id === event.id) return event;
    return !current || event.riskScore > current.riskScore ? event : current;
  });
  readAgainIfLoading(qc, keys.riskGauge);
}

/** A new event in every loaded timeline that starts at the newest and matches it. */
function insertInTimelines(qc: QueryClient, event: SecurityEvent): void {
  for (const query of qc.getQueryCache().findAll({ queryKey: keys.eventsAll })) {
    const [, filter, start] = query.queryKey as [string, EventFilter, string | null];
    if (filter.q || start !== null) continue;
    if (!eventMatches(event, filter)) continue;
    qc.setQueryData<EventPages>(query.queryKey, (data) => insertEvent(data, event));
  }
}

function eventCreated(qc: QueryClient, event: SecurityEvent): void {
  const view = useEventsView.getState();
  insertInTimelines(qc, event);
  readAgainIfLoading(qc, keys.eventsAll, () => insertInTimelines(qc, event));
  // The timeline on screen cannot place it itself: offer to refresh.
  const shownFilter = filterOf(view.filters);
  if (shownFilter.q || (view.start !== null && eventMatches(event, shownFilter))) {
    useEventsView.setState({ hasNew: true });
  }
  for (const query of qc.getQueryCache().findAll({ queryKey: keys.eventStatsAll })) {
    const filter = query.queryKey[1] as EventFilter;
    if (!eventMatches(event, filter)) continue;
    qc.setQueryData<EventStats>(query.queryKey, (stats) => bumpStats(stats, event, 1));
  }
  readAgainIfLoading(qc, keys.eventStatsAll);
  qc.setQueryData<SecurityEvent[]>(keys.activity, (list) =>
    list
      ? [event, ...list.filter((e) => e.id !== event.id)]
          .sort(compareNewestFirst)
          .slice(0, FEED_SIZE)
      : list,
  );
  readAgainIfLoading(qc, keys.activity);
  considerForGauge(qc, event);
}

/**
 * What many pushes can change at once, read again a little later (once for a burst of them).
 * Nothing has asked for it yet: the first page that does loads it.
 */
function refresher(qc: QueryClient, queryKey: readonly unknown[], delayMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    soon() {
      if (timer !== undefined || !qc.getQueryState(queryKey)) return;
      timer = setTimeout(() => {
        timer = undefined;
        void qc.invalidateQueries({ queryKey });
      }, delayMs);
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Subscribes the cache to every push event; returns the unsubscribe. */
export function syncPushes(client: HsiClient, qc: QueryClient): () => void {
  const snapshots = refresher(qc, keys.snapshots, SNAPSHOT_REFRESH_MS);
  // No push names dead letters: a job that runs (or ends) may have written some.
  const deadLetters = refresher(qc, keys.deadLetters, DEAD_LETTERS_REFRESH_MS);
  // A status push means messages moved (its counters changed): the list is read again.
  const mqttMessages = refresher(qc, keys.mqttMessages, MQTT_MESSAGES_REFRESH_MS);
  /** A pushed value that stands for the whole query (an answer in flight is older). */
  const replace = <T>(queryKey: readonly unknown[], value: T) => {
    qc.setQueryData<T>(queryKey, value);
    readAgainIfLoading(qc, queryKey);
  };
  const offs = [
    client.on('camera.status', (camera) => {
      cacheCamera(qc, camera);
      snapshots.soon();
    }),
    client.on('camera.deleted', ({ id }) => uncacheCamera(qc, id)),
    // Comes for every processed image, with or without detections.
    client.on('detections.created', () => snapshots.soon()),
    client.on('ingest.status', (status) => replace<IngestStatus>(keys.ingestStatus, status)),
    client.on('detector.status', (status) => replace<DetectorStatus>(keys.detectorStatus, status)),
    client.on('service.status', (update) => {
      cacheService(qc, update);
      // Its log has lines about what changed (read again only while shown).
      void qc.invalidateQueries({ queryKey: keys.serviceLogs(update.name) });
      qc.setQueryData<SystemHealth>(keys.health, (current) => {
        if (!current) return current;
        const services = current.services.map((s) =>
          s.name === update.name
            ? { ...s, status: update.status, detail: update.detail ?? undefined }
            : s,
        );
        const ok = services.every((s) => s.status === 'running');
        return { ...current, status: ok ? 'ok' : 'degraded', services };
      });
      readAgainIfLoading(qc, keys.health);
    }),
    client.on('mqtt.status', (status) => {
      replace<MqttStatus>(keys.mqttStatus, status);
      mqttMessages.soon();
    }),
    client.on('service.removed', ({ name }) => uncacheService(qc, name)),
    client.on('settings.updated', (settings) => replace<Settings>(keys.settings, settings)),
    client.on('event.created', (event) => eventCreated(qc, event)),
    client.on('event.updated', (event) => {
      cacheUpdatedEvent(qc, event);
      considerForGauge(qc, event);
    }),
    client.on('events.updated', ({ events }) => {
      cacheRescoredEvents(qc, events);
      // The preview and suggestions described events that have changed since.
      void qc.invalidateQueries({ queryKey: keys.calibrationPreviewAll });
      void qc.invalidateQueries({ queryKey: keys.calibrationSuggest });
    }),
    client.on('job.progress', (job) => {
      cacheJob(qc, job);
      deadLetters.soon();
    }),
    client.on('alert.created', (alert) => cacheAlert(qc, alert)),
    client.on('alert.updated', (alert) => cacheAlert(qc, alert)),
    client.on('delivery.updated', (delivery) => cacheDelivery(qc, delivery)),
    client.on('export.progress', (job) => cacheExportJob(qc, job)),
    client.on('notification.desktop', (note) => useToasts.getState().show(note)),
  ];
  return () => {
    snapshots.stop();
    deadLetters.stop();
    mqttMessages.stop();
    for (const off of offs) off();
  };
}

/**
 * The push channel came back: pushes may have been missed, so what is shown is read again
 * (long lists start over from their first page).
 */
export function refreshAfterReconnect(qc: QueryClient): void {
  void qc.resetQueries({ queryKey: keys.eventsAll });
  void qc.resetQueries({ queryKey: keys.alertsAll });
  void qc.invalidateQueries({
    predicate: (q) => q.queryKey[0] !== keys.eventsAll[0] && q.queryKey[0] !== keys.alertsAll[0],
  });
}
