import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type {
  Delivery,
  NotificationPreferences,
  RiskLevel,
  SecurityEvent,
} from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { inSchedule } from '../../src-shared/schedule';
import { newId, nowIso } from '../common/ids';
import type { DB, DeliveriesTable } from '../db/schema';
import type { ChannelRepository } from './channel-repository';

/**
 * The longest a failed delivery waits for its next attempt (a longer Retry-After is cut to
 * it). A retry time further off than this was set before the clock moved back: it is due.
 */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/** Rows folded into a digest that is not written yet carry this marker in digest_of. */
export const AWAITING_DIGEST = 'awaiting';

type Row = Selectable<DeliveriesTable>;

export function toDelivery(r: Row): Delivery {
  return {
    id: r.id,
    alertId: r.alert_id,
    channelId: r.channel_id,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    sentAt: r.sent_at,
    createdAt: r.created_at,
  };
}

/** A delivery claimed for sending (its attempt already counted). */
export interface OutgoingDelivery extends Delivery {
  /** Stable across retries: receivers use it to drop duplicates. */
  idempotencyKey: string;
  correlationId: string | null;
}

/** How a send ended. */
export type DeliveryOutcome =
  | { status: 'sent' }
  | { status: 'failed'; error: string; nextAttemptAt: string }
  | { status: 'dead'; error: string };

const rank = (l: RiskLevel) => RISK_LEVELS.indexOf(l);

/** Messages a channel sent or will send in the hour before `at` (what maxPerHour limits). */
async function messagesInLastHour(tx: Kysely<DB>, channelId: string, at: string): Promise<number> {
  const r = await tx
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel_id', '=', channelId)
    .where('created_at', '>', new Date(Date.parse(at) - 3600_000).toISOString())
    .where('status', 'not in', ['suppressed', 'dead'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The `deliveries` table: the outbox, one row per (alert, channel), plus digests. */
export function deliveryRepository(db: Kysely<DB>, d: { channels: ChannelRepository }) {
  return {
    /**
     * Writes one delivery per enabled channel of the rule, inside the alert's transaction. A
     * delivery held back is written as `suppressed` with the reason — never dropped silently.
     * Deliveries over the hourly limit wait to be folded into one digest message.
     */
    async planForAlert(
      trx: Kysely<DB>,
      a: {
        alertId: string;
        severity: RiskLevel;
        channelIds: string[];
        event: Pick<SecurityEvent, 'cameraId' | 'startedAt'>;
        at: string;
        prefs: NotificationPreferences;
        correlationId: string | null;
      },
    ): Promise<void> {
      for (const c of await d.channels.enabledIds(a.channelIds, trx)) {
        let reason: string | null = null;
        let digest: string | null = null;
        const min = a.prefs.channelMinSeverity[c];
        const q = a.prefs.quietHours;
        if (a.prefs.mutedCameraIds.includes(a.event.cameraId)) reason = 'Camera is muted';
        else if (min && rank(a.severity) < rank(min))
          reason = `Below this channel's minimum severity (${min})`;
        else if (q && inSchedule(a.event.startedAt, q))
          reason = `Quiet hours (${q.start}–${q.end})`;
        else if (a.prefs.maxPerHour !== null) {
          if ((await messagesInLastHour(trx, c, a.at)) >= a.prefs.maxPerHour) {
            reason = `Over ${a.prefs.maxPerHour} per hour: folded into a digest`;
            digest = AWAITING_DIGEST;
          }
        }
        await trx
          .insertInto('deliveries')
          .values({
            id: newId(),
            alert_id: a.alertId,
            channel_id: c,
            status: reason ? 'suppressed' : 'pending',
            suppressed_reason: reason,
            digest_of: digest,
            idempotency_key: `${a.alertId}:${c}`,
            correlation_id: a.correlationId,
            created_at: a.at,
            updated_at: a.at,
          })
          .execute();
      }
    },

    /**
     * After a crash, sends caught mid-way go out again (same idempotency key). The attempt the
     * crash cut off got no answer, so it does not count: a delivery in flight at a few crashes
     * must not be given up as dead without the receiver ever refusing it.
     */
    async requeueSending(): Promise<void> {
      await db
        .updateTable('deliveries')
        .set((eb) => ({
          status: 'pending',
          attempts: eb.fn('max', [eb('attempts', '-', 1), eb.lit(0)]),
        }))
        .where('status', '=', 'sending')
        .execute();
    },

    /** Claims up to `n` due deliveries in one statement (marks them sending, counts the attempt). */
    async claim(n: number): Promise<OutgoingDelivery[]> {
      const rows = await db
        .updateTable('deliveries')
        .set((eb) => ({
          status: 'sending',
          attempts: eb('attempts', '+', 1),
          updated_at: nowIso(),
        }))
        .where(
          'id',
          'in',
          db
            .selectFrom('deliveries')
            .select('id')
            .where('status', 'in', ['pending', 'failed'])
            .where((eb) =>
              eb.or([
                eb('next_attempt_at', 'is', null),
                eb('next_attempt_at', '<=', nowIso()),
                eb('next_attempt_at', '>', new Date(Date.now() + MAX_RETRY_DELAY_MS).toISOString()),
              ]),
            )
            .orderBy('created_at')
            .limit(n),
        )
        .returningAll()
        .execute();
      return rows
        .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0))
        .map((r) => ({
          ...toDelivery(r),
          idempotencyKey: r.idempotency_key,
          correlationId: r.correlation_id,
        }));
    },

    async finish(id: string, outcome: DeliveryOutcome): Promise<Delivery> {
      const row = await db
        .updateTable('deliveries')
        .set({
          status: outcome.status,
          updated_at: nowIso(),
          ...(outcome.status === 'sent'
            ? { sent_at: nowIso(), last_error: null, next_attempt_at: null }
            : {
                last_error: outcome.error.slice(0, 500),
                next_attempt_at: outcome.status === 'failed' ? outcome.nextAttemptAt : null,
              }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toDelivery(row);
    },

    /**
     * Rate-limited deliveries wait (digest_of = 'awaiting'); once a channel's last hour has
     * room again they become one digest delivery. `limit` (the hourly cap) is read only when
     * some wait. Returns how many digests were written.
     */
    async foldDigests(limit: () => Promise<number | null>): Promise<number> {
      const waiting = await db
        .selectFrom('deliveries')
        .select('channel_id')
        .where('digest_of', '=', AWAITING_DIGEST)
        .groupBy('channel_id')
        .execute();
      if (!waiting.length) return 0;
      const maxPerHour = await limit();
      let written = 0;
      for (const w of waiting) {
        await db.transaction().execute(async (trx) => {
          const used = await messagesInLastHour(trx, w.channel_id, nowIso());
          if (maxPerHour !== null && used >= maxPerHour) return;
          const id = newId();
          const now = nowIso();
          await trx
            .insertInto('deliveries')
            .values({
              id,
              alert_id: null,
              channel_id: w.channel_id,
              idempotency_key: `digest:${id}`,
              created_at: now,
              updated_at: now,
            })
            .execute();
          await trx
            .updateTable('deliveries')
            .set({ digest_of: id, updated_at: now })
            .where('channel_id', '=', w.channel_id)
            .where('digest_of', '=', AWAITING_DIGEST)
            .execute();
          written += 1;
        });
      }
      return written;
    },

    /** The alerts a digest delivery stands for. */
    async digestAlertIds(digestId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('deliveries')
        .select('alert_id')
        .where('digest_of', '=', digestId)
        .execute();
      return rows.flatMap((r) => (r.alert_id ? [r.alert_id] : []));
    },

    async list(f: {
      status?: Delivery['status'];
      alertId?: string;
      limit?: number;
    }): Promise<Delivery[]> {
      let q = db
        .selectFrom('deliveries')
        .selectAll()
        .orderBy('created_at', 'desc')
        .limit(f.limit ?? 200);
      if (f.status) q = q.where('status', '=', f.status);
      if (f.alertId) q = q.where('alert_id', '=', f.alertId);
      return (await q.execute()).map(toDelivery);
    },

    /**
     * Deletes the deliveries of these alerts (a camera being deleted, a chunk at a time);
     * `tx` joins the alerts' transaction.
     */
    async deleteForAlerts(alertIds: readonly string[], tx: Kysely<DB> = db): Promise<number> {
      if (!alertIds.length) return 0;
      const r = await sql`DELETE FROM deliveries
        WHERE alert_id IN (SELECT value FROM json_each(${JSON.stringify(alertIds)}))`.execute(tx);
      return Number(r.numAffectedRows ?? 0);
    },

    /** A dead (or failed) delivery gets a fresh set of attempts. */
    async retry(id: string): Promise<Delivery> {
      const row = await db
        .updateTable('deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: null, updated_at: nowIso() })
        .where('id', '=', id)
        .where('status', 'in', ['dead', 'failed'])
        .returningAll()
        .executeTakeFirst();
      if (row) return toDelivery(row);
      const exists = await db
        .selectFrom('deliveries')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!exists) throw new AppError('not_found', `No delivery with id "${id}"`);
      throw new AppError(
        'conflict',
        `Delivery is ${exists.status}; only failed or dead deliveries can be retried`,
      );
    },
  };
}

export type DeliveryRepository = ReturnType<typeof deliveryRepository>;
