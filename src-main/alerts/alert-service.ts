import type { Kysely } from 'kysely';
import type { ChannelParsedInput } from '../../src-shared/contract';
import type { Alert, AlertRule, RuleTestResult, SecurityEvent } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { PushBus } from '../app/push';
import type { DB } from '../db/schema';
import type { DetectionRepository } from '../detections/detection-repository';
import type { EventRepository } from '../events/event-repository';
import type { Logger } from '../system/logger';
import { zoneRepository } from '../zones/zone-repository';
import type { PreferencesRepository } from '../notify/preferences';
import type { AlertRepository } from './alert-repository';
import { draftRule } from './alert-repository';
import type { RuleContext } from './rule-engine';
import { dedupKey, evaluateRule } from './rule-engine';

/**
 * Runs every enabled rule on each created or updated event (a re-scored event can newly
 * match) and raises alerts, at most one per rule and event and none inside a cooldown.
 */
export class AlertService {
  private readonly log: Logger;
  private unsubscribe?: () => void;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly d: {
      db: Kysely<DB>;
      alerts: AlertRepository;
      preferences: PreferencesRepository;
      events: EventRepository;
      detections: DetectionRepository;
      bus: PushBus;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ module: 'alerts' });
  }

  start(): void {
    this.unsubscribe = this.d.bus.subscribe((m) => {
      if (m.type === 'event.created' || m.type === 'event.updated') {
        const event = m.data;
        this.chain = this.chain
          .then(() => this.evaluate(event))
          .catch((err: unknown) =>
            this.log.error({ err, eventId: event.id }, 'alert evaluation failed'),
          );
      }
    });
  }

  /** Waits for queued evaluations (tests, shutdown). */
  idle(): Promise<unknown> {
    return this.chain;
  }

  private async context(event: SecurityEvent): Promise<RuleContext> {
    const page = await this.d.detections.list({ eventId: event.id, limit: 500 });
    return {
      event,
      detections: page?.items ?? [],
      zones: await zoneRepository(this.d.db).listForCamera(event.cameraId),
    };
  }

  async evaluate(event: SecurityEvent, now = new Date()): Promise<Alert[]> {
    const rules = (await this.d.alerts.rules()).filter((r) => r.enabled);
    if (rules.length === 0) return [];
    const ctx = await this.context(event);
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
      });
      if (alert) {
        raised.push(alert);
        this.d.bus.emit('alert.created', alert);
      }
    }
    return raised;
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
      const r = evaluateRule({ ...rule, enabled: true }, await this.context(event));
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

  stop(): void {
    this.unsubscribe?.();
  }
}
