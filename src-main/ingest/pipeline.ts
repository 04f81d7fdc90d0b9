import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { PushBus } from '../app/push';
import type { CameraRepository } from '../cameras/camera-repository';
import type { DB } from '../db/schema';
import { newId, nowIso } from '../db/ids';
import type { DetectResult, ObjectDetector } from '../detect/detector';
import { ImageDecodeError } from '../detect/preprocess';
import type { Logger } from '../system/logger';
import type { SettingsService } from '../system/settings-service';
import type { IngestRepository, IngestRow } from './ingest-repository';
import type { IngestService } from './ingest-service';

const MAX_ATTEMPTS = 3;

/** Per-stage timings of one image, for the benchmark and the debug panel. */
export interface StageTimings {
  readMs: number;
  decodeMs: number;
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
  persistMs: number;
}

export interface PipelineDeps {
  db: Kysely<DB>;
  repo: IngestRepository;
  cameras: CameraRepository;
  ingest: IngestService;
  detector: ObjectDetector;
  settings: SettingsService;
  bus: PushBus;
  logger: Logger;
  onProcessed?: (row: IngestRow, timings: StageTimings) => void;
  /** Detections of one image, after they are stored (the batch aggregator listens). */
  onDetections?: (row: IngestRow, detections: PersistedDetection[]) => Promise<void>;
}

export interface PersistedDetection {
  id: string;
  objectClass: string;
  confidence: number;
  bbox: [number, number, number, number];
}

/** A counting semaphore: at most `limit` holders at a time. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(public limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

/**
 * Takes queued files one by one: read → dedupe → decode + detect → persist, each item
 * finished in one transaction so a crash never loses or doubles an image. Inference runs
 * at most `concurrency` at a time while the next image is already being decoded.
 */
export class IngestPipeline {
  private running = false;
  private readonly workers: Promise<void>[] = [];
  private wakers: (() => void)[] = [];
  private readonly inference: Semaphore;
  private modelTimer?: NodeJS.Timeout;
  private readonly log: Logger;

  constructor(private readonly deps: PipelineDeps) {
    this.log = deps.logger.child({ module: 'pipeline' });
    this.inference = new Semaphore(deps.settings.get().detector.concurrency);
  }

  /** True while files wait because no model could be loaded. */
  waitingForDetector(): boolean {
    return this.deps.detector.status().status === 'unavailable';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const workerCount = this.deps.settings.get().detector.concurrency + 1;
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
        const row = await this.deps.repo.claimNext(nowIso());
        if (!row) {
          await this.idle(1000);
          continue;
        }
        this.deps.ingest.claimed();
        await this.process(row);
      } catch (err) {
        this.log.error({ err }, 'pipeline worker error');
        await this.idle(1000);
      }
    }
  }

  private async process(row: IngestRow): Promise<void> {
    const t0 = performance.now();
    let requeued = false;
    try {
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(row.path);
      } catch (err) {
        await this.deps.repo.finish(row.id, 'failed', {
          error: `File cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
          now: nowIso(),
        });
        return;
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const settings = this.deps.settings.get();
      const windowStart = new Date(
        Date.now() - settings.ingest.dedupeWindowSeconds * 1000,
      ).toISOString();
      if (await this.deps.repo.seenRecently(sha256, row.camera_id, windowStart)) {
        await this.deps.repo.finish(row.id, 'duplicate', { sha256, now: nowIso() });
        return;
      }
      const readMs = performance.now() - t0;

      const overrides = await this.deps.cameras.find(row.camera_id);
      if (!overrides) {
        await this.deps.repo.finish(row.id, 'failed', {
          error: 'Camera was deleted',
          now: nowIso(),
        });
        return;
      }
      let result: DetectResult;
      await this.inference.acquire();
      try {
        result = await this.deps.detector.detect(bytes, {
          confidence: overrides.confidence ?? settings.detector.confidence,
          classes: overrides.classes ?? settings.detector.classes,
        });
      } catch (err) {
        if (err instanceof ImageDecodeError) {
          await this.deps.ingest.quarantine(row, err.message);
          return;
        }
        if (row.attempts < MAX_ATTEMPTS) {
          await this.deps.repo.finish(row.id, 'queued', {
            error: (err as Error).message,
            now: nowIso(),
          });
          requeued = true;
        } else {
          await this.deps.repo.finish(row.id, 'failed', {
            error: (err as Error).message,
            now: nowIso(),
          });
        }
        this.log.error({ err, path: row.path }, 'detection failed');
        return;
      } finally {
        this.inference.release();
      }

      const t1 = performance.now();
      const persisted = await this.persist(row, sha256, result);
      const persistMs = performance.now() - t1;
      if (persisted.length) await this.deps.onDetections?.(row, persisted);
      this.deps.bus.emit('detections.created', {
        cameraId: row.camera_id,
        imageId: row.id,
        count: result.detections.length,
      });
      this.deps.onProcessed?.(row, { readMs, ...result.timings, persistMs });
    } finally {
      this.deps.ingest.released(requeued);
    }
  }

  /** Detections, the image's size and status, and the dedupe hash: one transaction. */
  private async persist(
    row: IngestRow,
    sha256: string,
    result: DetectResult,
  ): Promise<PersistedDetection[]> {
    const now = nowIso();
    const model = this.deps.detector.modelName();
    const persisted: PersistedDetection[] = result.detections.map((d) => ({
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
    await this.deps.db.transaction().execute(async (trx) => {
      if (persisted.length > 0) {
        await trx
          .insertInto('detections')
          .values(
            persisted.map((d) => ({
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
          )
          .execute();
      }
      await trx
        .updateTable('ingest_queue')
        .set({
          status: 'done',
          sha256,
          width: result.width,
          height: result.height,
          error: null,
          finished_at: now,
        })
        .where('id', '=', row.id)
        .execute();
      await trx
        .insertInto('dedupe_hashes')
        .values({ sha256, camera_id: row.camera_id, seen_at: now })
        .onConflict((oc) => oc.columns(['sha256', 'camera_id']).doUpdateSet({ seen_at: now }))
        .execute();
    });
    return persisted;
  }
}
