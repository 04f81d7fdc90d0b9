import type { Kysely, Selectable, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { ChannelParsedInput, Page } from '../../src-shared/contract';
import type {
  Alert,
  AlertRule,
  AlertStatus,
  NotificationPreferences,
  RiskLevel,
  SecurityEvent,
} from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { newId, nowIso } from '../common/ids';
import type { AlertRulesTable, AlertsTable, DB } from '../db/schema';
import type { DeliveryRepository } from '../notify';
import type { JsonReader, Logger } from '../system';
import { jsonReader } from '../system';

const CORRUPT = Symbol('corrupt');

/**
 * A rule row as a rule (`read` parses its JSON columns). A rule with a corrupt condition reads
 * as disabled, never as one without that condition.
 */
function toRule(r: Selectable<AlertRulesTable>, read: JsonReader): AlertRule {
  let corrupt = false;
  const json = <T>(v: string | null, column: string, fallback: T | null = null): T | null => {
    if (v === null) return null;
    const out = read<T | typeof CORRUPT>(v, column, r.id, CORRUPT);
    if (out !== CORRUPT) return out;
    corrupt = true;
    return fallback;
  };
  const rule: AlertRule = {
    id: r.id,
    name: r.name,
    enabled: r.enabled === 1,
    minRiskScore: r.min_risk_score,
    riskLevels: json(r.risk_levels, 'risk_levels'),
    objectClasses: json(r.object_classes, 'object_classes'),
    cameraIds: json(r.camera_ids, 'camera_ids'),
    zoneIds: json(r.zone_ids, 'zone_ids'),
    minConfidence: r.min_confidence,
    schedule: json(r.schedule, 'schedule'),
    cooldownSeconds: r.cooldown_seconds,
    dedupKeyTemplate: r.dedup_key_template,
    severity: r.severity as RiskLevel,
    channelIds: json<string[]>(r.channel_ids, 'channel_ids', []) ?? [],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  return corrupt ? { ...rule, enabled: false } : rule;
}

function toAlert(r: Selectable<AlertsTable> & { camera_id: string }, read: JsonReader): Alert {
  return {
    id: r.id,
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    eventId: r.event_id,
    cameraId: r.camera_id,
    severity: r.severity as RiskLevel,
    status: r.status,
    dedupKey: r.dedup_key,
    matchedConditions: read<string[]>(r.matched_conditions, 'matched_conditions', r.id, [], (v) =>
      Array.isArray(v),
    ),
    resolvedReason: r.resolved_reason,
    correlationId: r.correlation_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** An alert to raise for a rule that matched an event. */
export interface NewAlert {
  rule: AlertRule;
  eventId: string;
  event: Pick<SecurityEvent, 'cameraId' | 'startedAt'>;
  prefs: NotificationPreferences;
  dedupKey: string;
  matchedConditions: string[];
  now: Date;
  correlationId: string | null;
}

type RuleInput = ChannelParsedInput<'alertRules.create'>;

function ruleColumns(r: Partial<RuleInput>) {
  const j = (v: unknown) => (v === null ? null : JSON.stringify(v));
  return {
    ...(r.name !== undefined && { name: r.name }),
    ...(r.enabled !== undefined && { enabled: r.enabled ? (1 as const) : (0 as const) }),
    ...(r.minRiskScore !== undefined && { min_risk_score: r.minRiskScore }),
    ...(r.riskLevels !== undefined && { risk_levels: j(r.riskLevels) }),
    ...(r.objectClasses !== undefined && { object_classes: j(r.objectClasses) }),
    ...(r.cameraIds !== undefined && { camera_ids: j(r.cameraIds) }),
    ...(r.zoneIds !== undefined && { zone_ids: j(r.zoneIds) }),
    ...(r.minConfidence !== undefined && { min_confidence: r.minConfidence }),
    ...(r.schedule !== undefined && { schedule: j(r.schedule) }),
    ...(r.cooldownSeconds !== undefined && { cooldown_seconds: r.cooldownSeconds }),
    ...(r.dedupKeyTemplate !== undefined && { dedup_key_template: r.dedupKeyTemplate }),
    ...(r.severity !== undefined && { severity: r.severity }),
    ...(r.channelIds !== undefined && { channel_ids: JSON.stringify(r.channelIds) }),
  };
}

/** An unsaved rule (dry runs) with the defaults a saved one would get. */
export function draftRule(r: RuleInput): AlertRule {
  return {
    id: 'draft',
    name: r.name,
    enabled: r.enabled ?? true,
    minRiskScore: r.minRiskScore ?? null,
    riskLevels: r.riskLevels ?? null,
    objectClasses: r.objectClasses ?? null,
    cameraIds: r.cameraIds ?? null,
    zoneIds: r.zoneIds ?? null,
    minConfidence: r.minConfidence ?? null,
    schedule: r.schedule ?? null,
    cooldownSeconds: r.cooldownSeconds ?? 300,
    dedupKeyTemplate: r.dedupKeyTemplate ?? '{cameraId}:{ruleId}',
    severity: r.severity,
    channelIds: r.channelIds ?? [],
    createdAt: '',
    updatedAt: '',
  };
}

/**
 * `alert_rules` and `alerts`. An alert is written with its deliveries (through the delivery
 * repository) in one transaction. Alerts read their event's camera as a joined column.
 */
export function alertRepository(
  db: Kysely<DB>,
  d: { deliveries: DeliveryRepository; /** Told about corrupt values. */ logger?: Logger },
) {
  const readRule = jsonReader('alert_rules', d.logger);
  const readAlert = jsonReader('alerts', d.logger);
  const asRule = (r: Selectable<AlertRulesTable>) => toRule(r, readRule);
  const asAlert = (r: Selectable<AlertsTable> & { camera_id: string }) => toAlert(r, readAlert);
  const selectAlerts = () =>
    db
      .selectFrom('alerts as a')
      .innerJoin('events as e', 'e.id', 'a.event_id')
      .selectAll('a')
      .select('e.camera_id');

  // Every event reads the rules; only this repository writes them, so it keeps them until it
  // changes them (one read less per evaluation).
  let rules: Promise<AlertRule[]> | undefined;
  const readRules = async () =>
    (await db.selectFrom('alert_rules').selectAll().orderBy('name').execute()).map(asRule);
  const rulesChanged = <T>(result: T): T => {
    rules = undefined;
    return result;
  };

  const repo = {
    async rules(): Promise<AlertRule[]> {
      rules ??= readRules().catch((err: unknown) => {
        rules = undefined;
        throw err;
      });
      return [...(await rules)];
    },
    async rule(id: string): Promise<AlertRule | undefined> {
      const r = await db
        .selectFrom('alert_rules')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return r && asRule(r);
    },
    async createRule(r: RuleInput): Promise<AlertRule> {
      const now = nowIso();
      const row = await db
        .insertInto('alert_rules')
        .values({
          id: newId(),
          ...ruleColumns(r),
          name: r.name,
          severity: r.severity,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return rulesChanged(asRule(row));
    },
    async updateRule(id: string, r: Partial<RuleInput>): Promise<AlertRule | undefined> {
      const row = await db
        .updateTable('alert_rules')
        .set({ ...ruleColumns(r), updated_at: nowIso() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return rulesChanged(row && asRule(row));
    },
    async deleteRule(id: string): Promise<AlertRule | undefined> {
      const row = await db
        .deleteFrom('alert_rules')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return rulesChanged(row && asRule(row));
    },

    /**
     * Deletes the alerts on these events and their deliveries in one transaction (a camera
     * being deleted, a chunk of its events at a time).
     */
    async deleteForEvents(eventIds: readonly string[]): Promise<number> {
      if (!eventIds.length) return 0;
      return db.transaction().execute(async (tx) => {
        const ids = (
          await sql<{ id: string }>`SELECT id FROM alerts
            WHERE event_id IN (SELECT value FROM json_each(${JSON.stringify(eventIds)}))`.execute(
            tx,
          )
        ).rows.map((r) => r.id);
        if (!ids.length) return 0;
        await d.deliveries.deleteForAlerts(ids, tx);
        const r = await sql`DELETE FROM alerts
          WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`.execute(tx);
        return Number(r.numAffectedRows ?? 0);
      });
    },

    /**
     * Creates the alert unless one with the same dedup key is younger than the cooldown, or
     * this rule already alerted on this event. One transaction: the check and the insert
     * cannot be split by a concurrent event.
     */
    async createIfCool(a: NewAlert): Promise<Alert | undefined> {
      return (await repo.raiseIfCool(a)).alert;
    },

    /**
     * `createIfCool`, also saying until when the rule's dedup key is cooling down when it
     * refused for that reason (callers raising many alerts skip the query until then).
     */
    async raiseIfCool(a: NewAlert): Promise<{
      alert?: Alert;
      coolUntil?: number;
    }> {
      const id = newId();
      const outcome = await db.transaction().execute(async (trx) => {
        const since = new Date(a.now.getTime() - a.rule.cooldownSeconds * 1000).toISOString();
        const recent = await trx
          .selectFrom('alerts')
          .select(['id', 'created_at', 'event_id', 'rule_id'])
          .where((eb) =>
            eb.or([
              eb.and([eb('dedup_key', '=', a.dedupKey), eb('created_at', '>', since)]),
              eb.and([eb('event_id', '=', a.eventId), eb('rule_id', '=', a.rule.id)]),
            ]),
          )
          .orderBy('created_at', 'desc')
          .executeTakeFirst();
        if (recent) {
          const sameEvent = recent.event_id === a.eventId && recent.rule_id === a.rule.id;
          return sameEvent
            ? {}
            : { coolUntil: Date.parse(recent.created_at) + a.rule.cooldownSeconds * 1000 };
        }
        const at = a.now.toISOString();
        await trx
          .insertInto('alerts')
          .values({
            id,
            rule_id: a.rule.id,
            rule_name: a.rule.name,
            event_id: a.eventId,
            severity: a.rule.severity,
            dedup_key: a.dedupKey,
            matched_conditions: JSON.stringify(a.matchedConditions),
            correlation_id: a.correlationId,
            created_at: at,
            updated_at: at,
          })
          .execute();
        // The outbox rows are written with the alert: no alert without its deliveries.
        await d.deliveries.planForAlert(trx, {
          alertId: id,
          severity: a.rule.severity,
          channelIds: a.rule.channelIds,
          event: a.event,
          at,
          prefs: a.prefs,
          correlationId: a.correlationId,
        });
        return { created: true };
      });
      return 'created' in outcome ? { alert: await repo.alert(id) } : outcome;
    },

    /** "eventId ruleId" of every active alert on these events (one query per 500 events). */
    async activePairs(eventIds: readonly string[]): Promise<Set<string>> {
      const out = new Set<string>();
      for (let i = 0; i < eventIds.length; i += 500) {
        const rows = await db
          .selectFrom('alerts')
          .select(['event_id', 'rule_id'])
          .where('status', '=', 'active')
          .where('event_id', 'in', eventIds.slice(i, i + 500))
          .execute();
        for (const r of rows) out.add(`${r.event_id} ${r.rule_id ?? ''}`);
      }
      return out;
    },

    /**
     * Resolves the rule's active alert on the event, by the app and for `reason` (status
     * dismissed, never deleted); undefined when there is none.
     */
    async resolveByApp(
      eventId: string,
      ruleId: string,
      reason: string,
    ): Promise<Alert | undefined> {
      const row = await db
        .updateTable('alerts')
        .set({ status: 'dismissed', resolved_reason: reason, updated_at: nowIso() })
        .where('event_id', '=', eventId)
        .where('rule_id', '=', ruleId)
        .where('status', '=', 'active')
        .returning('id')
        .executeTakeFirst();
      return row ? repo.alert(row.id) : undefined;
    },

    /** Several alerts in one query (the outbox reads a burst at once). */
    async alertsByIds(ids: string[]): Promise<Map<string, Alert>> {
      if (!ids.length) return new Map();
      const rows = await selectAlerts().where('a.id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, asAlert(r)]));
    },

    async alert(id: string): Promise<Alert | undefined> {
      const r = await selectAlerts().where('a.id', '=', id).executeTakeFirst();
      return r && asAlert(r);
    },

    async list(f: ChannelParsedInput<'alerts.list'>): Promise<Page<Alert>> {
      const limit = f.limit ?? 50;
      let q = selectAlerts();
      if (f.status) q = q.where('a.status', '=', f.status);
      if (f.cursor) {
        const [createdAt, id] = decodeCursor(f.cursor);
        q = q.where(sql<SqlBool>`(a.created_at, a.id) < (${createdAt}, ${id})`);
      }
      const rows = await q
        .orderBy('a.created_at', 'desc')
        .orderBy('a.id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(asAlert);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
      };
    },

    async setStatus(id: string, status: AlertStatus): Promise<Alert> {
      const r = await db
        .updateTable('alerts')
        .set({ status, updated_at: nowIso() })
        .where('id', '=', id)
        .executeTakeFirst();
      if (!Number(r.numUpdatedRows)) throw new AppError('not_found', `No alert with id "${id}"`);
      return (await repo.alert(id))!;
    },
  };
  return repo;
}

export type AlertRepository = ReturnType<typeof alertRepository>;
