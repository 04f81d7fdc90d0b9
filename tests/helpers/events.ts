import { createHash } from 'node:crypto';
import type { SettingsPatch } from '../../src-shared/settings';
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
): Promise<StoredDetection[]> {
  const images = ingestRepository(app.db, { detections: detectionRepository(app.db) });
  const correlationId = newId();
  const path = `/tmp/${cameraId}-${correlationId}.jpg`;
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
