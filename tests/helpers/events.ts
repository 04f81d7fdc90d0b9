import { createHash } from 'node:crypto';
import { riskLevelFor } from '../../src-shared/domain';
import type { Kysely } from 'kysely';
import type { SettingsPatch } from '../../src-shared/settings';
import type { DB } from '../../src-main/db/schema';
import type { App } from '../../src-main/app/compose';
import { withCorrelation } from '../../src-main/common/correlation';
import type { StoredDetection } from '../../src-main/common/domain-events';
import { newId } from '../../src-main/common/ids';
import { detectionRepository } from '../../src-main/detections';
import { ingestRepository } from '../../src-main/ingest';

/** Batches that close within a second (idle 0.25 s, window 0.6 s) for event tests. */
export const FAST_BATCHES: SettingsPatch = {
  batching: {
    windowSeconds: 0.6,
    idleSeconds: 0.25,
    maxDetections: 50,
    fastPath: { classes: ['person'], minConfidence: 0.9 },
    stationary: { iou: 0.85, seconds: 60 },
  },
};

/** The alert rule most tests use: every person, high, no cooldown, to these channels. */
export const peopleRule = (channelIds: string[]) => ({
  name: 'People',
  severity: 'high' as const,
  objectClasses: ['person'],
  channelIds,
  cooldownSeconds: 0,
});

export interface SeedDetection {
  objectClass: string;
  confidence: number;
  bbox?: [number, number, number, number];
}

/**
 * One snapshot's detections, stored and handed on by the pipeline's own `record` step (the
 * image row is queued as the ingest service would; only the inference is skipped), then
 * waits until the aggregator has them in a batch.
 */
export async function detect(
  app: App,
  cameraId: string,
  detections: SeedDetection[],
  at = new Date().toISOString(),
  /** The snapshot file the detections point at (a name that does not exist by default). */
  imagePath?: string,
): Promise<StoredDetection[]> {
  const images = ingestRepository(app.db, { detections: detectionRepository(app.db) });
  const correlationId = newId();
  const path = imagePath ?? `/tmp/${cameraId}-${correlationId}.jpg`;
  const id = await images.enqueue({
    cameraId,
    path,
    size: 0,
    mtimeMs: 0,
    source: 'import',
    enqueuedAt: at,
    correlationId,
  });
  const row = (await images.get(id))!;
  const stored = await withCorrelation(correlationId, () =>
    app.pipeline.record(row, createHash('sha256').update(path).digest('hex'), {
      // A 1×1 image: pixel boxes are the normalised boxes.
      width: 1,
      height: 1,
      detections: detections.map((d, i) => ({
        objectClass: d.objectClass,
        classIndex: i,
        confidence: d.confidence,
        box: d.bbox ?? [0.1, 0.2, 0.3, 0.9],
      })),
      timings: { readMs: 0, decodeMs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 },
    }),
  );
  await app.aggregator.idle();
  return stored;
}

export interface StoredEventSpec {
  cameraId: string;
  startedAt: string;
  /** The score before calibration (its one class's component). */
  component: number;
  objectClass?: string;
  scorer?: 'rules' | 'llm';
}

/**
 * Events as the scorers store them under the default calibration (score = component, its
 * components kept), each with one detection linked, written straight into the app's SQLite
 * file (through the app, or a connection of its own): for tests of what later happens to
 * stored events. Returns their ids in order.
 */
export async function insertScoredEvents(
  target: App | Kysely<DB>,
  specs: StoredEventSpec[],
): Promise<string[]> {
  const ids: string[] = [];
  const db = 'db' in target ? target.db : target;
  await db.transaction().execute(async (tx) => {
    for (const s of specs) {
      const id = newId();
      const detectionId = newId();
      const objectClass = s.objectClass ?? 'person';
      const riskScore = Math.round(s.component);
      await tx
        .insertInto('detections')
        .values({
          id: detectionId,
          camera_id: s.cameraId,
          image_path: `/tmp/${detectionId}.jpg`,
          image_sha256: null,
          image_width: 1,
          image_height: 1,
          detected_at: s.startedAt,
          object_class: objectClass,
          confidence: 0.8,
          x1: 0.1,
          y1: 0.2,
          x2: 0.3,
          y2: 0.9,
          model: 'test',
          created_at: s.startedAt,
          image_id: null,
        })
        .execute();
      await tx
        .insertInto('events')
        .values({
          id,
          batch_id: null,
          camera_id: s.cameraId,
          started_at: s.startedAt,
          ended_at: s.startedAt,
          risk_score: riskScore,
          raw_risk_score: riskScore,
          risk_level: riskLevelFor(riskScore),
          summary: `${objectClass} at ${s.cameraId}`,
          reasoning: '',
          scorer: s.scorer ?? 'rules',
          model: null,
          prompt_version_id: null,
          latency_ms: 1,
          object_classes: objectClass,
          detection_count: 1,
          correlation_id: null,
          score_components: JSON.stringify({ [objectClass]: s.component }),
          created_at: s.startedAt,
          updated_at: s.startedAt,
        })
        .execute();
      await tx
        .insertInto('event_detections')
        .values({ event_id: id, detection_id: detectionId, created_at: s.startedAt })
        .execute();
      ids.push(id);
    }
  });
  return ids;
}
