import type { ChannelParsedInput } from '../../src-shared/contract';
import type {
  Alert,
  AlertRule,
  AlertStatus,
  RuleTestResult,
  SecurityEvent,
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
import type { RuleContext } from './rule-engine';
import { dedupKey, evaluateRule } from './rule-engine';

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

  private async context(event: SecurityEvent): Promise<RuleContext> {
    return {
      event,
      detections: await this.d.detections.forEvent(event.id),
      zones: await this.d.zones.listForCamera(event.cameraId),
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

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    await this.chain;
  }
}
