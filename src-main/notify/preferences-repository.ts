import type { Kysely } from 'kysely';
import type { ChannelParsedInput } from '../../src-shared/contract';
import type { NotificationPreferences, RiskLevel } from '../../src-shared/domain';
import { nowIso } from '../common/ids';
import type { DB } from '../db/schema';
import type { Logger } from '../system';
import { isStringList, jsonReader } from '../system';

const QUIET_ID = 'default';

/**
 * `notification_preferences` (one row) and `quiet_hours`. Every evaluated event reads them;
 * only this repository writes them, so it keeps them until it changes them.
 */
export function preferencesRepository(
  db: Kysely<DB>,
  d: { /** Told about corrupt values. */ logger?: Logger } = {},
) {
  // A corrupt value reads as its mildest setting, so alerts still go out: no camera muted,
  // no quiet hours, no minimum severity.
  const json = jsonReader('notification_preferences', d.logger);
  const jsonQuiet = jsonReader('quiet_hours', d.logger);
  const isDays = (v: unknown) =>
    Array.isArray(v) && v.length > 0 && v.every((n) => Number.isInteger(n) && n >= 0 && n <= 6);
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  let kept: Promise<NotificationPreferences> | undefined;
  const read = async (): Promise<NotificationPreferences> => {
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
    const days =
      q && q.enabled === 1 ? jsonQuiet<number[] | null>(q.days, 'days', q.id, null, isDays) : null;
    return {
      mutedCameraIds: json<string[]>(
        p.muted_camera_ids,
        'muted_camera_ids',
        p.id,
        [],
        isStringList,
      ),
      quietHours:
        q && days
          ? {
              start: q.start,
              end: q.end,
              days,
              ...(q.timezone && { timezone: q.timezone }),
            }
          : null,
      maxPerHour: p.max_per_hour,
      channelMinSeverity: json<Record<string, RiskLevel>>(
        p.channel_min_severity,
        'channel_min_severity',
        p.id,
        {},
        isObject,
      ),
    };
  };

  const repo = {
    async get(): Promise<NotificationPreferences> {
      kept ??= read().catch((err: unknown) => {
        kept = undefined;
        throw err;
      });
      return structuredClone(await kept);
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
      kept = undefined;
      return repo.get();
    },
  };
  return repo;
}

export type PreferencesRepository = ReturnType<typeof preferencesRepository>;
