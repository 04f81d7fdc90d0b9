import { box, iou } from '../../src-shared/geometry';
import { currentCorrelationId } from '../common/correlation';
import type { DomainEventBus, StoredDetection } from '../common/domain-events';
import { newId } from '../common/ids';
import type { DetectionRepository } from '../detections';
import type { Logger, SettingsService } from '../system';
import type { ZoneRepository } from '../zones';
import { inIgnoreZone } from '../zones';
import type { BatchRepository } from './batch-repository';

interface OpenBatch {
  id: string;
  cameraId: string;
  openedAt: number;
  lastDetectionAt: number;
  detectionIds: string[];
  correlationId: string | null;
}

/**
 * One open batch per camera, fed by `image.processed`. A batch closes `windowSeconds` after
 * it opened, after `idleSeconds` without new moving detections, or at `maxDetections`; a
 * fast-path detection (e.g. a person ≥ 0.9) closes it at once. Stationary objects (same
 * class, same place as one seen recently) join an open batch but never open or extend one.
 * Detections inside an ignore zone (for their class) are kept, marked suppressed, and left
 * out. Open batches are rows, so a restart resumes them. A closed batch is published as
 * `batch.closed` (the event service scores it), carrying the correlation id of the image
 * that opened it.
 */
export class BatchAggregator {
  private readonly open = new Map<string, OpenBatch>();
  private readonly chains = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private readonly log: Logger;

  constructor(
    private readonly d: {
      batches: BatchRepository;
      detections: DetectionRepository;
      zones: ZoneRepository;
      settings: SettingsService;
      bus: DomainEventBus;
      logger: Logger;
      /** The clock the window and idle timeouts are measured on (tests move it). */
      now?: () => number;
    },
  ) {
    this.log = d.logger.child({ module: 'aggregator' });
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  /**
   * Resumes after a restart (batches mid-close are published again, open ones keep their
   * timers) and starts taking processed images.
   */
  async start(): Promise<void> {
    for (const b of await this.d.batches.unfinished()) {
      if (b.status === 'closing') {
        this.publishClosed(b, b.isFastPath);
      } else {
        this.open.set(b.cameraId, {
          id: b.id,
          cameraId: b.cameraId,
          openedAt: Date.parse(b.openedAt),
          lastDetectionAt: Date.parse(b.lastDetectionAt),
          detectionIds: b.detectionIds,
          correlationId: b.correlationId,
        });
      }
    }
    this.unsubscribe = this.d.bus.on('image.processed', (image) =>
      this.add(image.cameraId, image.detections, image.at, image.imageId),
    );
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
      // The clock went back (NTP, a person): measure from now on, or the batch, its event
      // and its alerts would wait until the clock caught up with the old times.
      // (A detection after the jump already set lastDetectionAt to the new time, so each
      // is checked on its own.)
      if (now < batch.lastDetectionAt) batch.lastDetectionAt = now;
      if (now < batch.openedAt) batch.openedAt = now;
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

  /** One image's detections for a camera (`at`: when the image arrived). */
  add(cameraId: string, detections: StoredDetection[], at: string, imageId = 0): Promise<void> {
    if (detections.length === 0) return Promise.resolve();
    return this.serial(cameraId, () => this.addNow(cameraId, detections, at, imageId));
  }

  private async addNow(cameraId: string, all: StoredDetection[], at: string, imageId: number) {
    const s = this.d.settings.get().batching;
    const suppressed = await this.suppressed(cameraId, all);
    const detections = suppressed.size ? all.filter((d) => !suppressed.has(d.id)) : all;
    if (detections.length === 0) return;
    const stationaryIds = await this.stationary(cameraId, detections, at);
    const moving = detections.filter((d) => !stationaryIds.has(d.id));
    let batch = this.open.get(cameraId);
    if (!batch && moving.length === 0) return; // a parked car alone never opens a batch
    const now = this.now();
    const opened = !batch;
    if (!batch) {
      batch = {
        id: newId(),
        cameraId,
        openedAt: now,
        lastDetectionAt: now,
        detectionIds: [],
        correlationId: currentCorrelationId() ?? null,
      };
      this.open.set(cameraId, batch);
      await this.d.batches.open({
        id: batch.id,
        cameraId,
        at: new Date(now).toISOString(),
        correlationId: batch.correlationId,
      });
      this.log.debug({ cameraId, batchId: batch.id }, 'batch opened');
    } else {
      this.log.debug(
        { cameraId, batchId: batch.id, batchCorrelationId: batch.correlationId },
        'detections joined an open batch',
      );
    }
    batch.detectionIds.push(...detections.map((d) => d.id));
    if (moving.length) batch.lastDetectionAt = now;
    await this.d.batches.setDetections(
      batch.id,
      batch.detectionIds,
      new Date(batch.lastDetectionAt).toISOString(),
    );
    if (moving.length) {
      this.d.bus.publish('batch.updated', {
        id: batch.id,
        cameraId,
        opened,
        openedAt: new Date(batch.openedAt).toISOString(),
        imageId,
        moving,
      });
    }
    const fast = moving.some(
      (d) => s.fastPath.classes.includes(d.objectClass) && d.confidence >= s.fastPath.minConfidence,
    );
    if (fast || batch.detectionIds.length >= s.maxDetections) await this.close(cameraId, fast);
  }

  /** Marks detections inside the camera's ignore zones (for their classes): never batched. */
  private async suppressed(cameraId: string, detections: StoredDetection[]): Promise<Set<string>> {
    const zones = await this.d.zones.listForCamera(cameraId);
    const ids = new Set(detections.filter((d) => inIgnoreZone(zones, d)).map((d) => d.id));
    if (ids.size === 0) return ids;
    await this.d.detections.markSuppressed([...ids]);
    this.log.debug({ cameraId, suppressed: ids.size }, 'detections ignored here');
    return ids;
  }

  /** Marks detections that repeat an object seen recently at the same place. */
  private async stationary(
    cameraId: string,
    detections: StoredDetection[],
    at: string,
  ): Promise<Set<string>> {
    const { iou: threshold, seconds } = this.d.settings.get().batching.stationary;
    if (seconds <= 0) return new Set();
    const since = new Date(Date.parse(at) - seconds * 1000).toISOString();
    const recent = await this.d.detections.recent(
      cameraId,
      [...new Set(detections.map((d) => d.objectClass))],
      since,
      at,
    );
    const ids = new Set<string>();
    for (const d of detections) {
      const b = box(d.bbox);
      if (recent.some((r) => r.objectClass === d.objectClass && iou(r, b) >= threshold)) {
        ids.add(d.id);
      }
    }
    await this.d.detections.markStationary([...ids]);
    return ids;
  }

  private async close(cameraId: string, fastPath: boolean): Promise<void> {
    const batch = this.open.get(cameraId);
    if (!batch) return;
    this.open.delete(cameraId);
    await this.d.batches.setClosing(batch.id, fastPath);
    // Scoring may take seconds (LLM): the camera's next batch can open meanwhile.
    this.publishClosed(batch, fastPath);
  }

  private publishClosed(
    batch: Pick<OpenBatch, 'id' | 'cameraId' | 'detectionIds' | 'correlationId'>,
    isFastPath: boolean,
  ): void {
    this.d.bus.publish(
      'batch.closed',
      { id: batch.id, cameraId: batch.cameraId, detectionIds: batch.detectionIds, isFastPath },
      batch.correlationId ?? `batch-${batch.id}`,
    );
  }

  /** Open batches by camera (debug panels). */
  openBatches(): { cameraId: string; detections: number; openedAt: string }[] {
    return [...this.open.values()].map((b) => ({
      cameraId: b.cameraId,
      detections: b.detectionIds.length,
      openedAt: new Date(b.openedAt).toISOString(),
    }));
  }

  /** Resolves once every detection handed over so far is in its batch (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  /** Stops the timers and takes no more images; open batches stay for the next start. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }
}
