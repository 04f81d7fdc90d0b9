import { setImmediate as nextTick } from 'node:timers/promises';
import type { CalibrationPreview, CalibrationSettings } from '../../src-shared/calibration';
import { calibrationResolver, scoreUnder } from '../../src-shared/calibration';
import type { CalibrationSuggestions } from '../../src-shared/calibration-suggest';
import { suggestFactors, suggestThresholds } from '../../src-shared/calibration-suggest';
import type { ChannelParsedInput, EventFilter } from '../../src-shared/contract';
import type { AlertRule, RiskLevel, SecurityEvent, Zone } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { AlertRepository, AlertService, ScoreShift } from '../alerts';
import { flipsAnyRule } from '../alerts';
import type { CalibrationRepository } from '../calibration';
import { applyPatch } from '../calibration';
import type { Publish } from '../common/domain-events';
import type { DetectionRepository } from '../detections';
import type { EventRepository, ScoreChange, ScoreRow } from '../events';
import { rulesComponents } from '../risk';
import type { JobRepository, JobService } from '../jobs';
import type { Logger } from '../system';
import type { ZoneRepository } from '../zones';

export const RECALIBRATE_JOB = 'recalibrate';
const DAY_MS = 86_400_000;
const SAMPLE_SIZE = 10;
/** Events per batch: each batch's write holds the main thread ~10 ms (a million in ~1,000). */
const DEFAULT_BATCH = 1000;

/** A re-evaluation job's saved state: scope, where it got to, what is left to alert on. */
interface RecalibrateParams {
  scope: EventFilter;
  /** The newest event when the job was asked for (later ones are scored new). */
  until: number;
  /** The last rowid committed. */
  cursor: number;
  /** Shifts a committed batch still owes alerts for. */
  pending: ScoreShift[];
}

interface RecalibrateResult extends Record<string, number> {
  changed: number;
  alertsRaised: number;
  alertsResolved: number;
}

/** Without a scope: the last 30 days. */
export function defaultScope(now = Date.now()): EventFilter {
  return { from: new Date(now - 30 * DAY_MS).toISOString() };
}

/** Whether two scopes can share events (disjoint only by cameras or by time). */
export function scopesOverlap(a: EventFilter, b: EventFilter): boolean {
  if (a.cameraIds?.length && b.cameraIds?.length) {
    if (!a.cameraIds.some((c) => b.cameraIds!.includes(c))) return false;
  }
  const from = (f: EventFilter) => (f.from ? Date.parse(f.from) : -Infinity);
  const to = (f: EventFilter) => (f.to ? Date.parse(f.to) : Infinity);
  return from(a) < to(b) && from(b) < to(a);
}

const levelTable = () =>
  Object.fromEntries(
    RISK_LEVELS.map((from) => [from, Object.fromEntries(RISK_LEVELS.map((to) => [to, 0]))]),
  ) as Record<RiskLevel, Record<RiskLevel, number>>;

function shiftOf(row: ScoreRow, next: { riskScore: number; riskLevel: RiskLevel }): ScoreShift {
  return {
    event: {
      id: row.id,
      cameraId: row.cameraId,
      startedAt: row.startedAt,
      objectClasses: row.objectClasses,
      correlationId: row.correlationId,
      riskScore: next.riskScore,
      riskLevel: next.riskLevel,
    },
    before: { riskScore: row.riskScore, riskLevel: row.riskLevel },
  };
}

/**
 * A new calibration applied to stored events: previewed without writing, suggested from the
 * homeowner's labels, and applied as a job (batches that each commit scores and the job's
 * cursor together; alerts re-evaluated for what changed; resumed after a crash).
 *
 *   score = clamp(round(max over classes (component × class multiplier) × camera sensitivity))
 *   level = by the thresholds of the profile (day or night) in effect at the event's start
 */
export class RecalibrationService {
  private readonly log: Logger;
  private starting: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly d: {
      events: EventRepository;
      detections: DetectionRepository;
      zones: ZoneRepository;
      calibration: CalibrationRepository;
      alerts: AlertRepository;
      alertService: AlertService;
      jobs: JobRepository;
      jobService: JobService;
      publish: Publish;
      logger: Logger;
      batchSize?: number;
    },
  ) {
    this.log = d.logger.child({ module: 'recalibrate' });
  }

  private get batchSize(): number {
    return this.d.batchSize ?? DEFAULT_BATCH;
  }

  /**
   * Rules-scored events stored before their components were kept get them from their
   * detections now (rules components, today's zones); others without detections keep the
   * stand-in (their raw score for each class). Changes the rows in place.
   */
  private async completeComponents(rows: ScoreRow[]): Promise<void> {
    const legacy = rows.filter((r) => !r.componentsStored && r.scorer === 'rules');
    if (legacy.length === 0) return;
    const detections = await this.d.detections.forEvents(legacy.map((r) => r.id));
    const zones = new Map<string, Zone[]>();
    for (const row of legacy) {
      const found = detections.get(row.id) ?? [];
      if (found.length === 0) continue;
      if (!zones.has(row.cameraId))
        zones.set(row.cameraId, await this.d.zones.listForCamera(row.cameraId));
      row.components = rulesComponents(found, zones.get(row.cameraId)!, row.startedAt);
    }
  }

  /** The scope asked for (the last 30 days without one); a malformed search is `invalid_input`. */
  private async checkedScope(scope: EventFilter | undefined): Promise<EventFilter> {
    if (scope?.q) await this.d.events.checkSearch(scope.q);
    return scope ?? defaultScope();
  }

  /** Resumes the re-evaluations a crash or shutdown interrupted. */
  async start(): Promise<void> {
    for (const { job } of await this.d.jobs.unfinished<RecalibrateParams>(RECALIBRATE_JOB)) {
      this.log.info({ jobId: job.id, processed: job.processed }, 'resuming re-evaluation');
      this.d.jobService.run(job.id, (signal) => this.work(job.id, signal));
    }
  }

  /**
   * Every event of the scope, in rowid order, under `candidate`: `onPage` sees each page's
   * rows with their new score and level.
   */
  private async scan(
    candidate: CalibrationSettings,
    scope: EventFilter,
    onPage: (
      page: { row: ScoreRow; next: { riskScore: number; riskLevel: RiskLevel } }[],
    ) => Promise<void> | void,
  ): Promise<void> {
    const resolve = calibrationResolver(candidate);
    const until = await this.d.events.lastRowid();
    const page = this.d.events.scopePages(scope);
    let cursor = 0;
    for (;;) {
      const rows = page(cursor, until, this.batchSize);
      if (rows.length === 0) return;
      await this.completeComponents(rows);
      await onPage(rows.map((row) => ({ row, next: scoreUnder(resolve, row) })));
      cursor = rows[rows.length - 1]!.rowid;
      await nextTick();
    }
  }

  async preview(input: ChannelParsedInput<'calibration.preview'>): Promise<CalibrationPreview> {
    const current = await this.d.calibration.get();
    const candidate = applyPatch(current, input.calibration);
    const scope = await this.checkedScope(input.scope);
    const nowResolve = calibrationResolver(current);
    const matrix = levelTable();
    const histogram = Object.fromEntries(
      RISK_LEVELS.map((l) => [l, new Array<number>(101).fill(0)]),
    ) as Record<RiskLevel, number[]>;
    const rules = await this.d.alertService.scoreRules();
    const newly = new Map<string, number>();
    const stopped = new Map<string, number>();
    let total = 0;
    let changed = 0;
    let scoreChanged = 0;
    let sample: { row: ScoreRow; next: { riskScore: number; riskLevel: RiskLevel } }[] = [];
    await this.scan(candidate, scope, async (page) => {
      const shifts: ScoreShift[] = [];
      for (const p of page) {
        const { row, next } = p;
        total += 1;
        matrix[row.riskLevel][next.riskLevel] += 1;
        if (!nowResolve(row.startedAt).night) histogram[row.riskLevel][row.riskScore]! += 1;
        if (next.riskScore === row.riskScore && next.riskLevel === row.riskLevel) continue;
        if (next.riskScore !== row.riskScore) scoreChanged += 1;
        shifts.push(shiftOf(row, next));
        if (next.riskLevel === row.riskLevel) continue;
        changed += 1;
        sample.push(p);
      }
      sample = sample
        .sort((a, b) => b.row.startedAt.localeCompare(a.row.startedAt))
        .slice(0, SAMPLE_SIZE);
      const r = await this.d.alertService.reevaluateShifts(shifts, { apply: false, rules });
      for (const [id, n] of r.newlyMatching) newly.set(id, (newly.get(id) ?? 0) + n);
      for (const [id, n] of r.noLongerMatching) stopped.set(id, (stopped.get(id) ?? 0) + n);
    });
    const names = new Map((await this.d.alerts.rules()).map((r) => [r.id, r.name]));
    const counts = (m: Map<string, number>) =>
      [...m].map(([ruleId, events]) => ({ ruleId, name: names.get(ruleId) ?? ruleId, events }));
    const full = await this.d.events.getMany(sample.map((s) => s.row.id));
    return {
      total,
      changed,
      scoreChanged,
      matrix,
      rulesNewlyMatching: counts(newly),
      rulesNoLongerMatching: counts(stopped),
      sample: sample.flatMap(({ row, next }) => {
        const e: SecurityEvent | undefined = full.get(row.id);
        return e
          ? [{ ...e, ...next, previousRiskScore: row.riskScore, previousRiskLevel: row.riskLevel }]
          : [];
      }),
      histogram,
    };
  }

  /** How many events of the scope would change level under `candidate`. */
  private async levelChanges(candidate: CalibrationSettings, scope: EventFilter): Promise<number> {
    let n = 0;
    await this.scan(candidate, scope, (page) => {
      for (const { row, next } of page) if (next.riskLevel !== row.riskLevel) n += 1;
    });
    return n;
  }

  async suggest(input: ChannelParsedInput<'calibration.suggest'>): Promise<CalibrationSuggestions> {
    const scope = await this.checkedScope(input.scope);
    const labelled = await this.d.events.labelledScores(scope);
    const current = await this.d.calibration.get();
    const found = [
      suggestThresholds(labelled, current.thresholds),
      ...suggestFactors(labelled, current, 'classMultiplier'),
      ...suggestFactors(labelled, current, 'cameraSensitivity'),
    ].filter((s) => s !== null);
    const suggestions = [];
    for (const s of found) {
      suggestions.push({
        ...s,
        changes: await this.levelChanges(applyPatch(current, s.patch), scope),
      });
    }
    return { labelled: labelled.length, suggestions };
  }

  /**
   * Starts re-evaluating the scope's events under the calibration in effect (each batch reads
   * it afresh). A second job on an overlapping scope is refused with `conflict`.
   */
  async reevaluate(
    input: ChannelParsedInput<'calibration.reevaluate'>,
  ): Promise<{ jobId: string }> {
    // One start at a time: the overlap check and the new job's row must not interleave.
    const started = this.starting.then(() => this.startJob(input));
    this.starting = started.catch(() => undefined);
    return started;
  }

  private async startJob(
    input: ChannelParsedInput<'calibration.reevaluate'>,
  ): Promise<{ jobId: string }> {
    const scope = await this.checkedScope(input.scope);
    const busy = (await this.d.jobs.unfinished<RecalibrateParams>(RECALIBRATE_JOB)).find((j) =>
      scopesOverlap(j.params.scope, scope),
    );
    if (busy) {
      throw new AppError(
        'conflict',
        `A re-evaluation of some of these events is already running (job ${busy.job.id}): wait for it or cancel it`,
      );
    }
    const until = await this.d.events.lastRowid();
    const total = await this.d.events.countScope(scope, until);
    const params: RecalibrateParams = { scope, until, cursor: 0, pending: [] };
    const job = await this.d.jobs.create(RECALIBRATE_JOB, params, total);
    this.log.info({ jobId: job.id, total }, 're-evaluation queued');
    this.d.jobService.run(job.id, (signal) => this.work(job.id, signal));
    return { jobId: job.id };
  }

  /** The job's batches, from its saved cursor, until the scope is done or it is cancelled. */
  private async work(jobId: string, signal: AbortSignal): Promise<void> {
    const state = await this.d.jobs.state<RecalibrateParams>(jobId);
    if (!state) return;
    let params = state.params;
    let processed = state.job.processed;
    const total = Math.max(1, state.job.total ?? 1);
    const result: RecalibrateResult = {
      changed: 0,
      alertsRaised: 0,
      alertsResolved: 0,
      ...state.job.result,
    };
    const coolUntil = new Map<string, number>();
    const save = () =>
      this.d.jobs.advanceInTx(
        jobId,
        processed,
        Math.min(100, (processed / total) * 100),
        params,
        result,
      );

    // A batch committed before a crash may still owe its alerts (repeating them is harmless).
    if (params.pending.length) await this.alertOn(params, result, coolUntil, save);

    const page = this.d.events.scopePages(params.scope);
    while (!signal.aborted) {
      // Live intake first: a batch waits while images queue or events are being scored.
      await this.d.jobService.yieldToLive(signal, jobId);
      if (signal.aborted) break;
      const rows = page(params.cursor, params.until, this.batchSize);
      if (rows.length === 0) break;
      await this.completeComponents(rows);
      const completed = new Map(rows.map((r) => [r.rowid, r.components]));
      const resolve = calibrationResolver(await this.d.calibration.get());
      const rules = await this.d.alertService.scoreRules();
      const changes: ScoreChange[] = [];
      const shifts: ScoreShift[] = [];
      for (const row of rows) {
        const next = scoreUnder(resolve, row);
        if (next.riskScore === row.riskScore && next.riskLevel === row.riskLevel) continue;
        changes.push({ rowid: row.rowid, version: row.version, ...next });
        shifts.push(shiftOf(row, next));
      }
      // Only shifts that may still raise or resolve an alert are owed (and remembered).
      const rowids = new Map(rows.map((r) => [r.id, r.rowid]));
      const owing = new Map<number, ScoreShift>(
        (await this.d.alertService.owedShifts(shifts, rules, coolUntil)).map((s) => [
          rowids.get(s.event.id)!,
          s,
        ]),
      );
      // Never inside another transaction left open across an await: wait for it to end.
      do await nextTick();
      while (this.d.events.inTransaction());
      // Scores, the cursor and the shifts still owing alerts commit together.
      const { written } = this.d.events.applyScores(
        changes,
        // A row read again keeps the components found for it above (older rules events),
        // unless it has its own now.
        (row) =>
          scoreUnder(
            resolve,
            row.componentsStored ? row : { ...row, components: completed.get(row.rowid)! },
          ),
        ({ written: done, recomputed }) => {
          const wrote = new Set(done.map((c) => c.rowid));
          for (const rowid of owing.keys()) if (!wrote.has(rowid)) owing.delete(rowid);
          // Rewritten from a fresher row: owed if it moves a rule at all (rare; conservative).
          for (const { row, next } of recomputed) {
            if (flipsAnyRule(rules, row, next)) owing.set(row.rowid, shiftOf(row, next));
            else owing.delete(row.rowid);
          }
          processed += rows.length;
          result.changed += done.length;
          params = {
            ...params,
            cursor: rows[rows.length - 1]!.rowid,
            pending: [...owing.values()],
          };
          save();
        },
      );
      if (written.length) {
        const ids = new Map(rows.map((r) => [r.rowid, r.id]));
        this.d.publish('events.recalibrated', {
          jobId,
          events: written.map((c) => ({
            id: ids.get(c.rowid)!,
            riskScore: c.riskScore,
            riskLevel: c.riskLevel,
          })),
        });
      }
      await nextTick();
      if (params.pending.length) await this.alertOn(params, result, coolUntil, save, rules);
      await this.d.jobService.progressed(jobId);
      await nextTick();
    }
    if (!signal.aborted) this.log.info({ jobId, ...result }, 're-evaluation finished');
  }

  /** Alerts for the pending shifts, then the job saved without them. */
  private async alertOn(
    params: RecalibrateParams,
    result: RecalibrateResult,
    coolUntil: Map<string, number>,
    save: () => void,
    rules?: readonly AlertRule[],
  ): Promise<void> {
    // Act on the events as they are now: another writer may have moved them since.
    const now = await this.d.events.currentScores(params.pending.map((p) => p.event.id));
    const shifts = params.pending.flatMap((p) => {
      const current = now.get(p.event.id);
      return current ? [{ ...p, event: { ...p.event, ...current } }] : [];
    });
    const r = await this.d.alertService.reevaluateShifts(shifts, {
      apply: true,
      coolUntil,
      rules,
    });
    result.alertsRaised += r.raised;
    result.alertsResolved += r.resolved;
    params.pending = [];
    save();
  }
}
