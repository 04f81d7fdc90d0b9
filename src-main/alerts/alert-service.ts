import type { ChannelParsedInput } from '../../src-shared/contract';
import type {
  Alert,
  AlertRule,
  AlertStatus,
  Detection,
  RuleTestResult,
  SecurityEvent,
  Zone,
} from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { DomainEventBus } from '../common/domain-events';
import type { DetectionRepository } from '../detections';
import type { EventRepository } from '../events';
import type { PreferencesRepository } from '../notify';
import type { Logger } from '../system';
import type { ZoneRepository } from '../zones';
import type { AlertRepository } from './alert-repository';
import { draftRule } from './alert-repository';
import type { RuleContext, RuleEvent } from './rule-engine';
import {
  dedupKey,
  evaluateRule,
  flipsAnyRule,
  scoreConditionsHold,
  verdictWithoutDetections,
} from './rule-engine';

/** An event whose score and level a new calibration changes. */
export interface ScoreShift {
  event: RuleEvent & Pick<SecurityEvent, 'id' | 'correlationId'>;
  before: Pick<SecurityEvent, 'riskScore' | 'riskLevel'>;
}

/** Which rules start or stop matching, by rule id (events counted once per rule). */
export interface RuleShifts {
  newlyMatching: Map<string, number>;
  noLongerMatching: Map<string, number>;
  raised: number;
  resolved: number;
}

/** Whether the rule's score conditions start (true) or stop (false) holding; null: neither. */
function flipOf(rule: AlertRule, { event, before }: ScoreShift): boolean | null {
  const after = scoreConditionsHold(rule, event);
  return after === scoreConditionsHold(rule, before) ? null : after;
}

/**
 * Whether a flip can still do something: raise (its dedup key not known to be cooling down)
 * or resolve (the rule has an active alert on the event).
 */
function canAct(
  rule: AlertRule,
  { event }: ScoreShift,
  after: boolean,
  known: { coolUntil: ReadonlyMap<string, number>; active: ReadonlySet<string>; now: number },
): boolean {
  return after
    ? (known.coolUntil.get(dedupKey(rule, event)) ?? 0) <= known.now
    : known.active.has(`${event.id} ${rule.id}`);
}

/** Why the app resolved an alert whose event no longer matches after a recalibration. */
export const RECALIBRATED = 'recalibrated';

/**
 * Runs every enabled rule on each created or re-scored event (a re-scored event can newly
 * match) and raises alerts, at most one per rule and event and none inside a cooldown. Each
 * alert is written with its deliveries; `alert.created` wakes the outbox.
 */
export class AlertService {
  private readonly log: Logger;
  private readonly unsubscribers: (() => void)[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly d: {
      alerts: AlertRepository;
      preferences: PreferencesRepository;
      events: EventRepository;
      detections: DetectionRepository;
      zones: ZoneRepository;
      bus: DomainEventBus;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ module: 'alerts' });
  }

  start(): void {
    const queue = (event: SecurityEvent) => {
      // One event at a time, in order: cooldowns depend on what the previous one raised.
      this.chain = this.chain
        .then(() => this.evaluate(event))
        .catch((err: unknown) =>
          this.log.error({ err, eventId: event.id }, 'alert evaluation failed'),
        );
    };
    this.unsubscribers.push(
      this.d.bus.on('event.created', queue),
      this.d.bus.on('event.rescored', queue),
    );
  }

  /** Waits for queued evaluations (tests, shutdown). */
  idle(): Promise<unknown> {
    return this.chain;
  }

  private async context(eventId: string, cameraId: string): Promise<Omit<RuleContext, 'event'>> {
    return {
      detections: await this.d.detections.forEvent(eventId),
      zones: await this.d.zones.listForCamera(cameraId),
    };
  }

  async evaluate(event: SecurityEvent, now = new Date()): Promise<Alert[]> {
    const rules = (await this.d.alerts.rules()).filter((r) => r.enabled);
    if (rules.length === 0) return [];
    const ctx = { event, ...(await this.context(event.id, event.cameraId)) };
    const prefs = await this.d.preferences.get();
    const raised: Alert[] = [];
    for (const rule of rules) {
      const result = evaluateRule(rule, ctx);
      if (!result.matches) continue;
      const alert = await this.d.alerts.createIfCool({
        rule,
        eventId: event.id,
        event,
        prefs,
        dedupKey: dedupKey(rule, event),
        matchedConditions: result.matchedConditions,
        now,
        correlationId: event.correlationId,
      });
      if (alert) {
        raised.push(alert);
        this.log.info({ alertId: alert.id, ruleId: rule.id, eventId: event.id }, 'alert raised');
        this.d.bus.publish('alert.created', alert, alert.correlationId ?? undefined);
      }
    }
    return raised;
  }

  /**
   * Rules that start or stop matching when events' scores change (only rules with score or
   * level conditions can). With `apply`, newly matching rules raise alerts (cooldowns and
   * preferences honoured; `coolUntil` remembers cooling dedup keys across calls) and active
   * alerts whose rule no longer matches are resolved as 'recalibrated'; without, it only counts.
   * Safe to repeat: one alert per rule and event, and resolving twice changes nothing.
   */
  async reevaluateShifts(
    shifts: readonly ScoreShift[],
    opts: {
      apply: boolean;
      coolUntil?: Map<string, number>;
      now?: Date;
      /** The score rules, when the caller has them already (`scoreRules`). */
      rules?: readonly AlertRule[];
    },
  ): Promise<RuleShifts> {
    const out: RuleShifts = {
      newlyMatching: new Map(),
      noLongerMatching: new Map(),
      raised: 0,
      resolved: 0,
    };
    if (shifts.length === 0) return out;
    const rules = opts.rules ?? (await this.scoreRules());
    if (rules.length === 0) return out;
    const coolUntil = opts.coolUntil ?? new Map<string, number>();
    const nowMs = (opts.now ?? new Date()).getTime();
    const active = opts.apply
      ? await this.d.alerts.activePairs([...new Set(shifts.map((s) => s.event.id))])
      : new Set<string>();
    // Which rule flips for which event (applying: only those that can still do something),
    // and which of those need the event's detections.
    const flips: { shift: ScoreShift; rule: AlertRule; after: boolean; verdict?: boolean }[] = [];
    const needDetections = new Set<string>();
    for (const shift of shifts) {
      const was = { ...shift.event, ...shift.before };
      for (const rule of rules) {
        const after = flipOf(rule, shift);
        if (after === null) continue;
        if (opts.apply && !canAct(rule, shift, after, { coolUntil, active, now: nowMs })) continue;
        const verdict = verdictWithoutDetections(rule, after ? shift.event : was);
        if (verdict === false) continue;
        if (verdict === undefined) needDetections.add(shift.event.id);
        flips.push({ shift, rule, after, verdict });
      }
    }
    // One query for the detections of the whole batch; zones once per camera.
    const detections = needDetections.size
      ? await this.d.detections.forEvents([...needDetections])
      : new Map<string, Detection[]>();
    const zones = new Map<string, Zone[]>();
    const contextOf = async (e: ScoreShift['event']): Promise<Omit<RuleContext, 'event'>> => {
      if (!zones.has(e.cameraId))
        zones.set(e.cameraId, await this.d.zones.listForCamera(e.cameraId));
      return { detections: detections.get(e.id) ?? [], zones: zones.get(e.cameraId)! };
    };
    const prefs = opts.apply ? await this.d.preferences.get() : undefined;
    const bump = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1);
    for (const { shift, rule, after, verdict } of flips) {
      const { event } = shift;
      const matching = after ? event : { ...event, ...shift.before };
      const ctx = verdict === undefined ? await contextOf(event) : undefined;
      if (ctx && !evaluateRule(rule, { ...ctx, event: matching }).matches) continue;
      bump(after ? out.newlyMatching : out.noLongerMatching, rule.id);
      if (!opts.apply) continue;
      if (!after) {
        const resolved = await this.d.alerts.resolveByApp(event.id, rule.id, RECALIBRATED);
        if (resolved) {
          out.resolved += 1;
          this.d.bus.publish('alert.resolved', resolved, resolved.correlationId ?? undefined);
        }
        continue;
      }
      const now = opts.now ?? new Date();
      const key = dedupKey(rule, event);
      if ((coolUntil.get(key) ?? 0) > now.getTime()) continue;
      const { alert, coolUntil: until } = await this.d.alerts.raiseIfCool({
        rule,
        eventId: event.id,
        event,
        prefs: prefs!,
        dedupKey: key,
        matchedConditions: evaluateRule(rule, { ...(ctx ?? (await contextOf(event))), event })
          .matchedConditions,
        now,
        correlationId: event.correlationId,
      });
      if (until !== undefined) coolUntil.set(key, until);
      if (alert) {
        out.raised += 1;
        coolUntil.set(key, now.getTime() + rule.cooldownSeconds * 1000);
        this.log.info(
          { alertId: alert.id, ruleId: rule.id, eventId: event.id },
          'alert raised after recalibration',
        );
        this.d.bus.publish('alert.created', alert, alert.correlationId ?? undefined);
      }
    }
    return out;
  }

  /**
   * The shifts that may still raise or resolve an alert: a rule starts matching and its dedup
   * key is not known to be cooling down, or stops matching an event with an active alert from
   * it. (What a re-evaluation batch must remember until its alerts are done.)
   */
  async owedShifts(
    shifts: readonly ScoreShift[],
    rules: readonly AlertRule[],
    coolUntil: ReadonlyMap<string, number>,
    now = Date.now(),
  ): Promise<ScoreShift[]> {
    const moved = shifts.filter((s) => flipsAnyRule(rules, s.before, s.event));
    if (moved.length === 0) return [];
    const active = await this.d.alerts.activePairs(moved.map((s) => s.event.id));
    return moved.filter((shift) =>
      rules.some((rule) => {
        const after = flipOf(rule, shift);
        return after !== null && canAct(rule, shift, after, { coolUntil, active, now });
      }),
    );
  }

  /** The enabled rules a change of score or level can make start or stop matching. */
  async scoreRules(): Promise<AlertRule[]> {
    return (await this.d.alerts.rules()).filter(
      (r) => r.enabled && (r.minRiskScore !== null || r.riskLevels !== null),
    );
  }

  /** Acknowledged or dismissed by the homeowner. */
  async resolve(id: string, status: Exclude<AlertStatus, 'active'>): Promise<Alert> {
    const alert = await this.d.alerts.setStatus(id, status);
    this.d.bus.publish('alert.resolved', alert);
    return alert;
  }

  /** Dry run: which events the rule (saved or not) would alert on; creates nothing. */
  async test(input: ChannelParsedInput<'alertRules.test'>): Promise<RuleTestResult> {
    let rule: AlertRule;
    if ('severity' in input.rule) {
      rule = draftRule(input.rule);
    } else {
      const saved = await this.d.alerts.rule(input.rule.id);
      if (!saved) throw new AppError('not_found', `No rule with id "${input.rule.id}"`);
      rule = saved;
    }
    const events: SecurityEvent[] = [];
    if (input.eventIds) {
      for (const id of input.eventIds) {
        const e = await this.d.events.get(id);
        if (e) events.push(e);
      }
    } else {
      events.push(...(await this.d.events.list({ limit: input.limit ?? 50 })).items);
    }
    const results = [];
    for (const event of events) {
      const r = evaluateRule(
        { ...rule, enabled: true },
        {
          event,
          ...(await this.context(event.id, event.cameraId)),
        },
      );
      results.push({
        eventId: event.id,
        matches: r.matches,
        matchedConditions: r.matchedConditions,
        failedConditions: r.failedConditions,
      });
    }
    const matching = results.filter((r) => r.matches).length;
    return { results, matchRate: results.length ? matching / results.length : 0 };
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    await this.chain;
  }
}
