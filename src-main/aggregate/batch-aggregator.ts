import type { Kysely } from 'kysely';
import type { DB } from '../db/schema';
import { newId } from '../db/ids';
import type { EventService } from '../events/event-service';
import type { Logger } from '../system/logger';
import type { SettingsService } from '../system/settings-service';

/** A detection just persisted by the pipeline. */
export interface IncomingDetection {
  id: string;
  objectClass: string;
  confidence: number;
  bbox: [number, number, number, number];
}

interface OpenBatch {
  id: string;
  cameraId: string;
  openedAt: number;
  lastDetectionAt: number;
  detectionIds: string[];
}

function iou(a: number[], b: number[]): number {
  const ix = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const iy = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = ix * iy;
  if (inter <= 0) return 0;
  const area = (r: number[]) => (r[2]! - r[0]!) * (r[3]! - r[1]!);
  return inter / (area(a) + area(b) - inter);
}

/**
 * One open batch per camera. A batch closes `windowSeconds` after it opened, after
 * `idleSeconds` without new moving detections, or at `maxDetections`; a fast-path
 * detection (e.g. a person ≥ 0.9) closes it at once. Stationary objects (same class, same
 * place as one seen recently) join an open batch but never open or extend one. Open
 * batches are rows, so a restart resumes them.
 */
export class BatchAggregator {
  private readonly open = new Map<string, OpenBatch>();
  private readonly chains = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private readonly closing = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly d: {
      db: Kysely<DB>;
      settings: SettingsService;
      events: EventService;
      logger: Logger;
      now?: () => number;
    },
  ) {
    this.log = d.logger.child({ module: 'aggregator' });
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  /** Resume after a restart: batches mid-close are finished, open ones keep their timers. */
  async start(): Promise<void> {
    const rows = await this.d.db
      .selectFrom('batches')
      .selectAll()
      .where('status', 'in', ['open', 'closing'])
      .execute();
    for (const r of rows) {
      if (r.status === 'closing') {
        this.track(
          this.d.events.createFromBatch({
            id: r.id,
            cameraId: r.camera_id,
            detectionIds: JSON.parse(r.detection_ids) as string[],
            isFastPath: r.is_fast_path === 1,
          }),
        );
      } else {
        this.open.set(r.camera_id, {
          id: r.id,
          cameraId: r.camera_id,
          openedAt: Date.parse(r.opened_at),
          lastDetectionAt: Date.parse(r.last_detection_at),
          detectionIds: JSON.parse(r.detection_ids) as string[],
        });
      }
    }
    this.schedule();
  }

  private schedule(): void {
    const b = this.d.settings.get().batching;
    const tickMs = Math.max(
      20,
      Math.min(1000, (Math.min(b.windowSeconds, b.idleSeconds) * 1000) / 4),
    );
    this.timer = setTimeout(() => {
      void this.tick().finally(() => {
        if (this.timer) this.schedule();
      });
    }, tickMs);
    this.timer.unref();
  }

  /** Closes batches whose window or idle time has passed. */
  async tick(): Promise<void> {
    const b = this.d.settings.get().batching;
    const now = this.now();
    for (const batch of [...this.open.values()]) {
      if (
        now - batch.openedAt >= b.windowSeconds * 1000 ||
        now - batch.lastDetectionAt >= b.idleSeconds * 1000
      ) {
        await this.serial(batch.cameraId, () => this.close(batch.cameraId, false));
      }
    }
  }

  /** Per-camera serialisation: adds and closes for one camera never interleave. */
  private serial(cameraId: string, task: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(cameraId) ?? Promise.resolve())
      .then(task)
      .catch((err: unknown) => {
        this.log.error({ err, cameraId }, 'batch step failed');
      });
    this.chains.set(cameraId, next);
    return next;
  }

  add(cameraId: string, detections: IncomingDetection[], at: string): Promise<void> {
    if (detections.length === 0) return Promise.resolve();
    return this.serial(cameraId, () => this.addNow(cameraId, detections, at));
  }

  private async addNow(
    cameraId: string,
    detections: IncomingDetection[],
    at: string,
  ): Promise<void> {
    const s = this.d.settings.get().batching;
    const stationaryIds = await this.stationary(cameraId, detections, at);
    const moving = detections.filter((d) => !stationaryIds.has(d.id));
    let batch = this.open.get(cameraId);
    if (!batch && moving.length === 0) return; // a parked car alone never opens a batch
    const now = this.now();
    if (!batch) {
      batch = { id: newId(), cameraId, openedAt: now, lastDetectionAt: now, detectionIds: [] };
      this.open.set(cameraId, batch);
      await this.d.db
        .insertInto('batches')
        .values({
          id: batch.id,
          camera_id: cameraId,
          opened_at: new Date(now).toISOString(),
          last_detection_at: new Date(now).toISOString(),
          detection_ids: '[]',
        })
        .execute();
    }
    batch.detectionIds.push(...detections.map((d) => d.id));
    if (moving.length) batch.lastDetectionAt = now;
    await this.d.db
      .updateTable('batches')
      .set({
        detection_ids: JSON.stringify(batch.detectionIds),
        last_detection_at: new Date(batch.lastDetectionAt).toISOString(),
      })
      .where('id', '=', batch.id)
      .execute();
    const fast = moving.some(
      (d) => s.fastPath.classes.includes(d.objectClass) && d.confidence >= s.fastPath.minConfidence,
    );
    if (fast || batch.detectionIds.length >= s.maxDetections) await this.close(cameraId, fast);
  }

  /** Marks detections that repeat an object seen recently at the same place. */
  private async stationary(
    cameraId: string,
    detections: IncomingDetection[],
    at: string,
  ): Promise<Set<string>> {
    const { iou: threshold, seconds } = this.d.settings.get().batching.stationary;
    if (seconds <= 0) return new Set();
    const since = new Date(Date.parse(at) - seconds * 1000).toISOString();
    const recent = await this.d.db
      .selectFrom('detections')
      .select(['id', 'object_class', 'x1', 'y1', 'x2', 'y2'])
      .where('camera_id', '=', cameraId)
      .where('detected_at', '>=', since)
      .where('detected_at', '<', at)
      .where('object_class', 'in', [...new Set(detections.map((d) => d.objectClass))])
      .execute();
    const ids = new Set<string>();
    for (const d of detections) {
      if (
        recent.some(
          (r) =>
            r.object_class === d.objectClass && iou([r.x1, r.y1, r.x2, r.y2], d.bbox) >= threshold,
        )
      ) {
        ids.add(d.id);
      }
    }
    if (ids.size) {
      await this.d.db
        .updateTable('detections')
        .set({ stationary: 1 })
        .where('id', 'in', [...ids])
        .execute();
    }
    return ids;
  }

  private async close(cameraId: string, fastPath: boolean): Promise<void> {
    const batch = this.open.get(cameraId);
    if (!batch) return;
    this.open.delete(cameraId);
    await this.d.db
      .updateTable('batches')
      .set({ status: 'closing', is_fast_path: fastPath ? 1 : 0 })
      .where('id', '=', batch.id)
      .execute();
    // Scoring may take seconds (LLM): the camera's next batch can open meanwhile.
    this.track(
      this.d.events.createFromBatch({
        id: batch.id,
        cameraId,
        detectionIds: batch.detectionIds,
        isFastPath: fastPath,
      }),
    );
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.log.error({ err }, 'event creation failed'));
    this.closing.add(tracked);
    void tracked.finally(() => this.closing.delete(tracked));
  }

  /** Open batches by camera (debug panels). */
  openBatches(): { cameraId: string; detections: number; openedAt: string }[] {
    return [...this.open.values()].map((b) => ({
      cameraId: b.cameraId,
      detections: b.detectionIds.length,
      openedAt: new Date(b.openedAt).toISOString(),
    }));
  }

  /** Stops the timers and waits for in-flight scoring; open batches stay for the next start. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.chains.values());
    await Promise.all(this.closing);
  }
}
