import type { Kysely, Transaction } from 'kysely';
import type { ChannelParsedInput } from '../../src-shared/contract';
import type { NotificationPreferences, RiskLevel, SecurityEvent } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { inSchedule } from '../alerts/rule-engine';
import type { DB } from '../db/schema';
import { newId, nowIso } from '../db/ids';

const QUIET_ID = 'default';
/** Rows folded into a digest that is not written yet carry this marker in digest_of. */
export const AWAITING_DIGEST = 'awaiting';

export function preferencesRepository(db: Kysely<DB>) {
  const repo = {
    async get(): Promise<NotificationPreferences> {
      const p = await db
        .selectFrom('notification_preferences')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      const q = await db
        .selectFrom('quiet_hours')
        .selectAll()
        .where('id', '=', QUIET_ID)
        .executeTakeFirst();
      return {
        mutedCameraIds: JSON.parse(p.muted_camera_ids) as string[],
        quietHours:
          q && q.enabled === 1
            ? {
                start: q.start,
                end: q.end,
                days: JSON.parse(q.days) as number[],
                ...(q.timezone && { timezone: q.timezone }),
              }
            : null,
        maxPerHour: p.max_per_hour,
        channelMinSeverity: JSON.parse(p.channel_min_severity) as Record<string, RiskLevel>,
      };
    },

    async update(
      patch: ChannelParsedInput<'notify.preferences.update'>,
    ): Promise<NotificationPreferences> {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('notification_preferences')
          .set({
            ...(patch.mutedCameraIds !== undefined && {
              muted_camera_ids: JSON.stringify(patch.mutedCameraIds),
            }),
            ...(patch.maxPerHour !== undefined && { max_per_hour: patch.maxPerHour }),
            ...(patch.channelMinSeverity !== undefined && {
              channel_min_severity: JSON.stringify(patch.channelMinSeverity),
            }),
            updated_at: nowIso(),
          })
          .where('id', '=', 1)
          .execute();
        if (patch.quietHours === null) {
          await trx.deleteFrom('quiet_hours').where('id', '=', QUIET_ID).execute();
        } else if (patch.quietHours) {
          const q = patch.quietHours;
          const values = {
            start: q.start,
            end: q.end,
            days: JSON.stringify(q.days),
            timezone: q.timezone ?? null,
            enabled: 1 as const,
          };
          await trx
            .insertInto('quiet_hours')
            .values({ id: QUIET_ID, label: 'Quiet hours', ...values })
            .onConflict((oc) => oc.column('id').doUpdateSet(values))
            .execute();
        }
      });
      return repo.get();
    },
  };
  return repo;
}

export type PreferencesRepository = ReturnType<typeof preferencesRepository>;

const rank = (l: RiskLevel) => RISK_LEVELS.indexOf(l);

/** Messages a channel sent or will send in the hour before `at` (what maxPerHour limits). */
export async function messagesInLastHour(
  trx: Transaction<DB>,
  channelId: string,
  at: string,
): Promise<number> {
  const r = await trx
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel_id', '=', channelId)
    .where('created_at', '>', new Date(Date.parse(at) - 3600_000).toISOString())
    .where('status', 'not in', ['suppressed', 'dead'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Writes one delivery per enabled channel of the rule, inside the alert's transaction. A
 * delivery held back is written as `suppressed` with the reason — never dropped silently.
 * Deliveries over the hourly limit wait to be folded into one digest message.
 */
export async function planDeliveries(
  trx: Transaction<DB>,
  a: {
    alertId: string;
    severity: RiskLevel;
    channelIds: string[];
    event: Pick<SecurityEvent, 'cameraId' | 'startedAt'>;
    at: string;
    prefs: NotificationPreferences;
  },
): Promise<void> {
  if (a.channelIds.length === 0) return;
  const channels = await trx
    .selectFrom('notification_channels')
    .select('id')
    .where('id', 'in', a.channelIds)
    .where('enabled', '=', 1)
    .execute();
  for (const c of channels) {
    let reason: string | null = null;
    let digest: string | null = null;
    const min = a.prefs.channelMinSeverity[c.id];
    const q = a.prefs.quietHours;
    if (a.prefs.mutedCameraIds.includes(a.event.cameraId)) reason = 'Camera is muted';
    else if (min && rank(a.severity) < rank(min))
      reason = `Below this channel's minimum severity (${min})`;
    else if (q && inSchedule(a.event.startedAt, q)) reason = `Quiet hours (${q.start}–${q.end})`;
    else if (a.prefs.maxPerHour !== null) {
      if ((await messagesInLastHour(trx, c.id, a.at)) >= a.prefs.maxPerHour) {
        reason = `Over ${a.prefs.maxPerHour} per hour: folded into a digest`;
        digest = AWAITING_DIGEST;
      }
    }
    await trx
      .insertInto('deliveries')
      .values({
        id: newId(),
        alert_id: a.alertId,
        channel_id: c.id,
        status: reason ? 'suppressed' : 'pending',
        suppressed_reason: reason,
        digest_of: digest,
        idempotency_key: `${a.alertId}:${c.id}`,
        created_at: a.at,
        updated_at: a.at,
      })
      .execute();
  }
}
