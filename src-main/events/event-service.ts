import type { Kysely } from 'kysely';
import type { PushBus } from '../app/push';
import type { CalibrationRepository } from '../calibration/calibration-repository';
import type { DB } from '../db/schema';
import type { Logger } from '../system/logger';
import type { LlmScorer } from '../risk/llm-scorer';
import type { BatchContext, RiskAssessment, ScoredDetection } from '../risk/risk-scorer';
import type { RulesScorer } from '../risk/rules-scorer';
import { zoneRepository } from '../zones/zone-repository';
import type { EventRepository } from './event-repository';

export interface ClosedBatch {
  id: string;
  cameraId: string;
  detectionIds: string[];
  isFastPath: boolean;
}

/**
 * Turns closed batches into events: LLM first when it is on and its breaker allows, the
 * rules scorer otherwise (and whenever the LLM fails). Exactly one event per batch.
 */
export class EventService {
  private rescoreTimer?: NodeJS.Timeout;
  private rescoring = false;
  /** Live batches being scored right now: background re-scoring waits for them. */
  private liveInFlight = 0;
  private readonly log: Logger;

  constructor(
    private readonly d: {
      db: Kysely<DB>;
      events: EventRepository;
      calibration: CalibrationRepository;
      rules: RulesScorer;
      llm: LlmScorer;
      bus: PushBus;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ module: 'events' });
  }

  async context(batch: ClosedBatch): Promise<BatchContext | undefined> {
    const camera = await this.d.db
      .selectFrom('cameras')
      .select(['id', 'name'])
      .where('id', '=', batch.cameraId)
      .executeTakeFirst();
    if (!camera) return undefined;
    const rows = batch.detectionIds.length
      ? await this.d.db
          .selectFrom('detections')
          .selectAll()
          .where('id', 'in', batch.detectionIds)
          .orderBy('detected_at')
          .execute()
      : [];
    const detections: ScoredDetection[] = rows.map((r) => ({
      id: r.id,
      objectClass: r.object_class,
      confidence: r.confidence,
      bbox: [r.x1, r.y1, r.x2, r.y2],
      detectedAt: r.detected_at,
      stationary: r.stationary === 1,
    }));
    if (detections.length === 0) return undefined;
    return {
      batchId: batch.id,
      cameraId: camera.id,
      cameraName: camera.name,
      startedAt: detections[0]!.detectedAt,
      endedAt: detections[detections.length - 1]!.detectedAt,
      detections,
      zones: await zoneRepository(this.d.db).listForCamera(camera.id),
      calibration: await this.d.calibration.get(),
      isFastPath: batch.isFastPath,
    };
  }

  async assess(ctx: BatchContext): Promise<RiskAssessment> {
    if (this.d.llm.enabled()) {
      try {
        return await this.d.llm.score(ctx);
      } catch (err) {
        this.log.warn(
          { batchId: ctx.batchId, err: (err as Error).message },
          'LLM scoring failed; using the rules scorer',
        );
      }
    }
    return this.d.rules.score(ctx);
  }

  /** Scores a closed batch and stores its event (idempotent per batch). */
  async createFromBatch(batch: ClosedBatch): Promise<void> {
    this.liveInFlight += 1;
    try {
      const ctx = await this.context(batch);
      if (!ctx) {
        await this.d.db
          .updateTable('batches')
          .set({ status: 'closed' })
          .where('id', '=', batch.id)
          .execute();
        return;
      }
      const assessment = await this.assess(ctx);
      const objectClasses = [
        ...new Set(ctx.detections.filter((d) => !d.stationary).map((d) => d.objectClass)),
      ];
      const { event, created } = await this.d.events.insertForBatch({
        batchId: batch.id,
        cameraId: ctx.cameraId,
        startedAt: ctx.startedAt,
        endedAt: ctx.endedAt,
        objectClasses: objectClasses.length
          ? objectClasses
          : [...new Set(ctx.detections.map((d) => d.objectClass))],
        detectionIds: ctx.detections.map((d) => d.id),
        isFastPath: batch.isFastPath,
        assessment,
      });
      if (created) this.d.bus.emit('event.created', event);
    } finally {
      this.liveInFlight -= 1;
    }
  }

  /** Re-scores rules-scored events with the LLM once it answers again; lowest priority. */
  startRescoring(intervalMs = 5000): void {
    const tick = () => {
      void this.rescoreSome().finally(() => {
        if (this.rescoreTimer) this.rescoreTimer = setTimeout(tick, intervalMs).unref();
      });
    };
    this.rescoreTimer = setTimeout(tick, intervalMs).unref();
  }

  async rescoreSome(batchSize = 5): Promise<number> {
    if (this.rescoring || this.liveInFlight > 0 || !this.d.llm.enabled()) return 0;
    if (this.d.llm.breaker.state === 'open') return 0;
    this.rescoring = true;
    let done = 0;
    try {
      for (const event of await this.d.events.rulesScored(batchSize)) {
        if (this.liveInFlight > 0) break; // live work first
        const ids = await this.d.db
          .selectFrom('event_detections')
          .select('detection_id')
          .where('event_id', '=', event.id)
          .execute();
        const ctx = await this.context({
          id: `rescore-${event.id}`,
          cameraId: event.cameraId,
          detectionIds: ids.map((r) => r.detection_id),
          isFastPath: event.isFastPath,
        });
        if (!ctx) continue;
        let assessment: RiskAssessment;
        try {
          assessment = await this.d.llm.score(ctx);
        } catch {
          break; // still down: try again later
        }
        const updated = await this.d.events.rescore(event.id, assessment);
        if (updated) this.d.bus.emit('event.updated', updated);
        done += 1;
      }
    } finally {
      this.rescoring = false;
    }
    return done;
  }

  stop(): void {
    clearTimeout(this.rescoreTimer);
    this.rescoreTimer = undefined;
  }
}
