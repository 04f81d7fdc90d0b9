import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import type { LimitFunction } from 'p-limit';
import type { CameraRepository } from '../cameras';
import { withCorrelation } from '../common/correlation';
import type { DomainEventBus, StoredDetection } from '../common/domain-events';
import { newId, nowIso } from '../common/ids';
import type { DetectResult, Frame, ObjectDetector } from '../detect';
import { ImageDecodeError, ImageReadError } from '../detect';
import type { Logger, SettingsService } from '../system';
import type { IngestRepository, IngestRow } from './ingest-repository';
import type { IngestService } from './ingest-service';

const MAX_ATTEMPTS = 3;

/** Per-stage timings of one image, for the benchmark and the debug panel. */
export type StageTimings = DetectResult['timings'] & { persistMs: number };

export interface PipelineDeps {
  images: IngestRepository;
  cameras: CameraRepository;
  ingest: IngestService;
  detector: ObjectDetector;
  settings: SettingsService;
  bus: DomainEventBus;
  logger: Logger;
  onProcessed?: (row: IngestRow, timings: StageTimings) => void;
}

/** The correlation id of a queued image (rows from before correlation ids get one from their row id). */
export function imageCorrelationId(row: Pick<IngestRow, 'id' | 'correlation_id'>): string {
  return row.correlation_id ?? `image-${row.id}`;
}

/**
 * Takes queued files: prepare (read, hash, decode, tensor — off the main thread) → dedupe →
 * infer → persist, each item finished in one transaction so a crash never loses or doubles an
 * image, then publishes `image.processed` (the batch aggregator takes it from there).
 * Inference runs at most `concurrency` at a time while the next images are being prepared
 * (one per frame worker, or one by the inference thread when there are none).
 */
export class IngestPipeline {
  private running = false;
  private readonly workers: Promise<void>[] = [];
  private wakers: (() => void)[] = [];
  private readonly inference: LimitFunction;
  private modelTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private readonly log: Logger;

  constructor(private readonly deps: PipelineDeps) {
    this.log = deps.logger.child({ module: 'pipeline' });
    this.inference = pLimit(deps.settings.get().detector.concurrency);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.bus.on('image.queued', () => this.wake());
    const { concurrency, decodeWorkers } = this.deps.settings.get().detector;
    const workerCount = concurrency + Math.max(1, decodeWorkers) + 1;
    for (let i = 0; i < workerCount; i += 1) this.workers.push(this.work());
    // A model that appears later (models:fetch, a copied file) starts processing.
    this.modelTimer = setInterval(() => {
      if (this.deps.detector.status().status !== 'ready') {
        void this.deps.detector.ensureLoaded().then((ok) => ok && this.wake());
      }
    }, 3000);
    this.modelTimer.unref();
  }

  /** New work or a model became ready. */
  wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  /** Finishes in-flight items (their rows stay consistent) and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    clearInterval(this.modelTimer);
    this.wake();
    await Promise.all(this.workers.splice(0));
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async work(): Promise<void> {
    while (this.running) {
      try {
        if (!(await this.deps.detector.ensureLoaded())) {
          await this.idle(3000);
          continue;
        }
        const row = await this.deps.images.claimNext(nowIso());
        if (!row) {
          await this.idle(1000);
          continue;
        }
        this.deps.ingest.claimed();
        await withCorrelation(imageCorrelationId(row), () => this.process(row));
      } catch (err) {
        this.log.error({ err }, 'pipeline worker error');
        await this.idle(1000);
      }
    }
  }

  private async process(row: IngestRow): Promise<void> {
    let requeued = false;
    /**
     * A file that cannot be read fails; one that does not decode is quarantined; anything
     * else is not the image's fault: it is tried again later, at most MAX_ATTEMPTS times.
     */
    const failed = async (err: unknown) => {
      if (err instanceof ImageReadError) {
        await this.deps.images.finish(row.id, 'failed', { error: err.message, now: nowIso() });
      } else if (err instanceof ImageDecodeError) {
        await this.deps.ingest.quarantine(row, err.message);
      } else {
        const retry = row.attempts < MAX_ATTEMPTS;
        await this.deps.images.finish(row.id, retry ? 'queued' : 'failed', {
          error: (err as Error).message,
          now: nowIso(),
        });
        requeued = retry;
        this.log.error({ err, path: row.path }, 'detection failed');
      }
    };
    try {
      let frame: Frame;
      try {
        frame = await this.deps.detector.prepare(row.path);
      } catch (err) {
        await failed(err);
        return;
      }
      const settings = this.deps.settings.get();
      const windowStart = new Date(
        Date.now() - settings.ingest.dedupeWindowSeconds * 1000,
      ).toISOString();
      if (await this.deps.images.seenRecently(frame.sha256, row.camera_id, windowStart)) {
        await this.deps.images.finish(row.id, 'duplicate', { sha256: frame.sha256, now: nowIso() });
        return;
      }
      const overrides = await this.deps.cameras.find(row.camera_id);
      if (!overrides) {
        await this.deps.images.finish(row.id, 'failed', {
          error: 'Camera was deleted',
          now: nowIso(),
        });
        return;
      }
      let result: DetectResult;
      try {
        result = await this.inference(() =>
          this.deps.detector.infer(frame, {
            confidence: overrides.confidence ?? settings.detector.confidence,
            classes: overrides.classes ?? settings.detector.classes,
          }),
        );
      } catch (err) {
        await failed(err); // a model changed meanwhile prepares the frame again
        return;
      }

      const t1 = performance.now();
      await this.record(row, frame.sha256, result);
      const persistMs = performance.now() - t1;
      this.deps.onProcessed?.(row, { ...result.timings, persistMs });
    } finally {
      this.deps.ingest.released(requeued);
    }
  }

  /**
   * Stores what the detector found in an image (boxes normalised to 0..1) with the image's
   * status in one transaction, then publishes `image.processed`.
   */
  async record(row: IngestRow, sha256: string, result: DetectResult): Promise<StoredDetection[]> {
    const now = nowIso();
    const model = this.deps.detector.modelName();
    const stored: StoredDetection[] = result.detections.map((d) => ({
      id: newId(),
      objectClass: d.objectClass,
      confidence: d.confidence,
      bbox: [
        d.box[0] / result.width,
        d.box[1] / result.height,
        d.box[2] / result.width,
        d.box[3] / result.height,
      ],
    }));
    await this.deps.images.complete(row, {
      sha256,
      width: result.width,
      height: result.height,
      now,
      detections: stored.map((d) => ({
        id: d.id,
        camera_id: row.camera_id,
        image_id: row.id,
        image_path: row.path,
        image_sha256: sha256,
        image_width: result.width,
        image_height: result.height,
        detected_at: row.enqueued_at,
        object_class: d.objectClass,
        confidence: d.confidence,
        x1: d.bbox[0],
        y1: d.bbox[1],
        x2: d.bbox[2],
        y2: d.bbox[3],
        model,
        created_at: now,
      })),
    });
    this.log.debug({ imageId: row.id, detections: stored.length }, 'image processed');
    this.deps.bus.publish('image.processed', {
      imageId: row.id,
      cameraId: row.camera_id,
      at: row.enqueued_at,
      detections: stored,
      inferenceMs: result.timings.inferenceMs,
    });
    return stored;
  }
}
