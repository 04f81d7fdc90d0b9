import type { ChannelParsedInput } from '../../src-shared/contract';
import type { EventFeedback, IgnoreOffer, SecurityEvent } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { BatchRepository } from '../aggregate';
import type { CalibrationRepository } from '../calibration';
import { calibrationAt, feedbackLearning, scoreUnder } from '../../src-shared/calibration';
import type { CameraRepository } from '../cameras';
import { currentCorrelationId, withCorrelation } from '../common/correlation';
import { nowIso } from '../common/ids';
import type { ClosedBatch, DomainEventBus } from '../common/domain-events';
import type { DetectionRepository } from '../detections';
import { LlmError } from '../prompts';
import type { BatchContext, LlmScorer, RiskAssessment, RulesScorer } from '../risk';
import type { Logger } from '../system';
import type { ZoneRepository } from '../zones';
import type { EventRepository } from './event-repository';
import type { FalsePositiveBoxes } from './ignore-offer';
import { ignoreOfferFor } from './ignore-offer';

/**
 * Turns closed batches (`batch.closed`) into events: LLM first when it is on and its breaker
 * allows, the rules scorer otherwise (and whenever the LLM fails). Exactly one event per
 * batch; `event.created` follows. Rules-scored events are offered to the LLM again in the
 * background once it answers (`event.rescored`).
 */
/** What re-scoring one event came to. */
export type RescoreOutcome = 'rescored' | 'skipped' | 'unavailable' | { failed: string };

export class EventService {
  private rescoring = false;
  /** Live batches being scored right now: background re-scoring waits for them. */
  private liveInFlight = 0;
  private readonly scoring = new Set<Promise<void>>();
  private unsubscribe?: () => void;
  private readonly log: Logger;

  constructor(
    private readonly d: {
      events: EventRepository;
      batches: BatchRepository;
      cameras: CameraRepository;
      detections: DetectionRepository;
      zones: ZoneRepository;
      calibration: CalibrationRepository;
      rules: RulesScorer;
      llm: LlmScorer;
      bus: DomainEventBus;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ module: 'events' });
  }

  /** Takes closed batches from now on. */
  start(): void {
    this.unsubscribe = this.d.bus.on('batch.closed', (batch) => {
      const scored = this.createFromBatch(batch).catch((err: unknown) =>
        this.log.error({ err, batchId: batch.id }, 'event creation failed'),
      );
      this.scoring.add(scored);
      void scored.finally(() => this.scoring.delete(scored));
    });
  }

  async context(batch: ClosedBatch): Promise<BatchContext | undefined> {
    const camera = await this.d.cameras.find(batch.cameraId);
    if (!camera) return undefined;
    const detections = (await this.d.detections.byIds(batch.detectionIds)).map((d) => ({
      id: d.id,
      objectClass: d.objectClass,
      confidence: d.confidence,
      bbox: d.bbox,
      detectedAt: d.detectedAt,
      stationary: d.stationary,
      imagePath: d.imagePath,
    }));
    if (detections.length === 0) return undefined;
    return {
      batchId: batch.id,
      cameraId: camera.id,
      cameraName: camera.name,
      startedAt: detections[0]!.detectedAt,
      endedAt: detections[detections.length - 1]!.detectedAt,
      detections,
      zones: await this.d.zones.listForCamera(camera.id),
      calibration: calibrationAt(await this.d.calibration.get(), detections[0]!.detectedAt),
      isFastPath: batch.isFastPath,
    };
  }

  /** A stored event's batch as the scorers see it (undefined when it or its detections are gone). */
  async contextForEvent(id: string): Promise<BatchContext | undefined> {
    const event = await this.d.events.get(id);
    return event && this.contextOf(event);
  }

  /** A stored event's batch as the scorers see it (undefined when its detections are gone). */
  async contextOf(event: SecurityEvent): Promise<BatchContext | undefined> {
    const ctx = await this.context({
      id: `rescore-${event.id}`,
      cameraId: event.cameraId,
      detectionIds: await this.d.events.detectionIds(event.id),
      isFastPath: event.isFastPath,
    });
    return ctx && { ...ctx, eventId: event.id };
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

  /** The assessment's score and level from its components under the calibration saved now. */
  private async underCurrentCalibration(
    a: RiskAssessment,
    ctx: BatchContext,
  ): Promise<RiskAssessment> {
    const cal = calibrationAt(await this.d.calibration.get(), ctx.startedAt);
    return { ...a, ...scoreUnder(() => cal, { ...ctx, components: a.components }) };
  }

  /** Scores a closed batch and stores its event (idempotent per batch). */
  async createFromBatch(batch: ClosedBatch): Promise<void> {
    this.liveInFlight += 1;
    try {
      const ctx = await this.context(batch);
      if (!ctx) {
        await this.d.batches.markClosed(batch.id, null);
        return;
      }
      // Scoring may have waited on the model: apply the calibration in effect now (a
      // re-evaluation started meanwhile does not cover events created after it started).
      const assessment = await this.underCurrentCalibration(await this.assess(ctx), ctx);
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
        correlationId: currentCorrelationId() ?? null,
      });
      if (created) {
        this.log.info(
          {
            eventId: event.id,
            batchId: batch.id,
            riskScore: event.riskScore,
            scorer: event.scorer,
          },
          'event created',
        );
        this.d.bus.publish('event.created', event);
      }
    } finally {
      this.liveInFlight -= 1;
    }
  }

  async rescoreSome(batchSize = 5): Promise<number> {
    if (this.rescoring || this.liveInFlight > 0 || !this.d.llm.enabled()) return 0;
    if (this.d.llm.breaker.state === 'open') return 0;
    this.rescoring = true;
    let done = 0;
    try {
      for (const event of await this.d.events.rulesScored(batchSize)) {
        if (this.liveInFlight > 0) break; // live work first
        const outcome = await this.rescore(event);
        if (outcome === 'unavailable') break; // still down: try again later
        if (outcome === 'rescored') done += 1;
      }
    } finally {
      this.rescoring = false;
    }
    return done;
  }

  /**
   * Asks the LLM about one rules-scored event and stores its answer: `unavailable` while the
   * LLM does not answer (or its breaker is open), `failed` for an answer it could not use.
   */
  rescore(event: SecurityEvent): Promise<RescoreOutcome> {
    return withCorrelation(event.correlationId, () => this.rescoreNow(event));
  }

  private async rescoreNow(event: SecurityEvent): Promise<RescoreOutcome> {
    const ctx = await this.contextOf(event);
    if (!ctx) return 'skipped';
    let assessment: RiskAssessment;
    try {
      assessment = await this.d.llm.score(ctx);
    } catch (err) {
      const badAnswer =
        err instanceof LlmError && !err.retryable && this.d.llm.breaker.state === 'closed';
      return badAnswer ? { failed: err.message } : 'unavailable';
    }
    // The model took its time: the event may have been recalibrated or edited meanwhile.
    // Write against the version read, under the calibration in effect now; retry if stale.
    let version = event.version;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const updated = await this.d.events.rescore(
        event.id,
        version,
        await this.underCurrentCalibration(assessment, ctx),
      );
      if (updated === undefined) return 'skipped';
      if (updated !== 'stale') {
        this.d.bus.publish('event.rescored', updated);
        return 'rescored';
      }
      const now = await this.d.events.get(event.id);
      if (!now) return 'skipped';
      version = now.version;
    }
    this.log.warn({ eventId: event.id }, 're-score kept losing to other writers; will retry later');
    return 'skipped';
  }

  async get(id: string): Promise<SecurityEvent> {
    const event = await this.d.events.get(id);
    if (!event) throw new AppError('not_found', `No event with id "${id}"`);
    return event;
  }

  /** The homeowner's review: reviewed, false positive, notes. */
  async review(
    id: string,
    patch: { reviewed?: boolean; falsePositive?: boolean; notes?: string },
  ): Promise<SecurityEvent> {
    const event = await this.d.events.update(id, patch);
    if (!event) throw new AppError('not_found', `No event with id "${id}"`);
    this.d.bus.publish('event.reviewed', event);
    return event;
  }

  async reviewMany(ids: string[], reviewed: boolean): Promise<{ updated: number }> {
    const updated = await this.d.events.setReviewed(ids, reviewed);
    for (const event of (await this.d.events.getMany(ids)).values()) {
      this.d.bus.publish('event.reviewed', event);
    }
    return { updated };
  }

  /**
   * Stores feedback (one per event) and, in the same transaction, lets it move the
   * calibration's thresholds by the learning rule and counts it.
   */
  async feedback(input: ChannelParsedInput<'events.feedback'>): Promise<EventFeedback> {
    const event = await this.get(input.eventId);
    const learn = feedbackLearning(event, input.type);
    try {
      return await this.d.events.addFeedback(input, (tx) =>
        this.d.calibration.applyFeedback(tx, input.type, learn, nowIso()),
      );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new AppError('conflict', 'This event already has feedback');
      }
      throw err;
    }
  }

  /**
   * "Ignore here", offered on an event after the homeowner marked three false positives of
   * one of its classes at the same spot on its camera (null: nothing to offer).
   */
  async ignoreOffer(id: string): Promise<IgnoreOffer | null> {
    const event = await this.get(id);
    const detections = await this.d.detections.forEvent(id);
    const boxes = new Map<string, FalsePositiveBoxes[]>();
    for (const c of new Set(detections.map((d) => d.objectClass))) {
      boxes.set(c, await this.d.events.falsePositiveBoxes(event.cameraId, c));
    }
    return ignoreOfferFor(
      event.cameraId,
      detections,
      (c) => boxes.get(c) ?? [],
      await this.d.zones.listForCamera(event.cameraId),
    );
  }

  /** Closed batches being scored right now (the debug panel). */
  scoringNow(): number {
    return this.scoring.size;
  }

  /** Resolves once every closed batch handed over so far has its event (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.scoring.size) await Promise.all([...this.scoring]);
  }

  /** Stops taking batches and waits for those being scored. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.idle();
  }
}
