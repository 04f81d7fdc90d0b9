import { batchRepository } from '../aggregate';
import { alertRepository } from '../alerts';
import { analyticsRepository } from '../analytics';
import { telemetryRepository } from '../telemetry';
import { calibrationRepository } from '../calibration';
import { cameraRepository } from '../cameras';
import type { OpenedDatabase } from '../db/database';
import { detectionRepository } from '../detections';
import { eventRepository } from '../events';
import { exportRepository } from '../exports';
import { ingestRepository } from '../ingest';
import { jobRepository } from '../jobs';
import { pipelineCounts, recordingRepository } from '../debug';
import { promptRepository } from '../prompts';
import { logRepository } from '../system';
import type { Logger } from '../system';
import { rumRepository } from '../rum';
import { mqttQueueRepository } from '../mqtt';
import type { MessageSources, SecretStore } from '../notify';
import { channelRepository, deliveryRepository, preferencesRepository } from '../notify';
import { zoneRepository } from '../zones';

/**
 * Every repository over one database: the only code that touches it. Each table has one
 * owner; a repository that writes another's rows in its transaction goes through that one.
 */
export function createRepositories(
  database: OpenedDatabase,
  secrets: SecretStore,
  /** Told about corrupt values some repositories read past (logged once per row). */
  logger?: Logger,
) {
  const { db, sqlite } = database;
  const detections = detectionRepository(db);
  const batches = batchRepository(db, { logger });
  const channels = channelRepository(db, secrets);
  const deliveries = deliveryRepository(db, { channels });
  return {
    cameras: cameraRepository(db, { logger }),
    zones: zoneRepository(db, { logger }),
    detections,
    images: ingestRepository(db, { detections }),
    batches,
    events: eventRepository(db, { batches, sqlite, logger }),
    calibration: calibrationRepository(db),
    alerts: alertRepository(db, { deliveries, logger }),
    channels,
    deliveries,
    preferences: preferencesRepository(db, { logger }),
    exportJobs: exportRepository(db),
    jobs: jobRepository(db, sqlite, { logger }),
    prompts: promptRepository(db),
    analytics: analyticsRepository(db),
    telemetry: telemetryRepository(db),
    recordings: recordingRepository(db),
    pipelineCounts: pipelineCounts(db),
    logs: logRepository(db),
    rum: rumRepository(db),
    mqttQueue: mqttQueueRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;

/** What the notification outbox reads from other domains to write a message. */
export function messageSources(r: Repositories): MessageSources {
  return {
    alertsByIds: (ids) => r.alerts.alertsByIds(ids),
    eventsByIds: (ids) => r.events.getMany(ids),
    imagePath: (id) => r.images.existingPath(id),
    cameraNames: (ids) => r.cameras.namesByIds(ids),
  };
}
