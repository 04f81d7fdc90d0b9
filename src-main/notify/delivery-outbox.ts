import fs from 'node:fs';
import type { Kysely, Selectable } from 'kysely';
import type { Alert, Delivery, SecurityEvent } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { PushBus } from '../app/push';
import type { DB, DeliveriesTable } from '../db/schema';
import { newId, nowIso } from '../db/ids';
import type { AlertRepository } from '../alerts/alert-repository';
import type { EventRepository } from '../events/event-repository';
import type { Logger } from '../system/logger';
import type { ChannelRepository, StoredChannel } from './channel-repository';
import type { PreferencesRepository } from './preferences';
import { AWAITING_DIGEST, messagesInLastHour } from './preferences';
import type { Notification } from './senders';
import { SendError, sendEmail, sendWebhook } from './senders';

export const MAX_ATTEMPTS = 3;
/** Deliveries sent at once (different receivers should not wait on one slow one). */
const CONCURRENCY = 16;

export function toDelivery(r: Selectable<DeliveriesTable>): Delivery {
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

export type Sender = (channel: StoredChannel, n: Notification) => Promise<void>;

/**
 * The durable outbox: a delivery row per (alert, channel) is written with the alert; this
 * worker sends due rows, retries failures with exponential backoff and jitter (honouring
 * Retry-After), and gives up as `dead` after MAX_ATTEMPTS. A row caught mid-send by a crash
 * is sent again with the same idempotency key.
 */
export class DeliveryOutbox {
  private timer?: NodeJS.Timeout;
  private running = false;
  private busy?: Promise<void>;
  private wakeRequested = false;
  private readonly log: Logger;
  private readonly senders: Partial<Record<StoredChannel['kind'], Sender>>;

  constructor(
    private readonly d: {
      db: Kysely<DB>;
      channels: ChannelRepository;
      alerts: AlertRepository;
      events: EventRepository;
      preferences: PreferencesRepository;
      bus: PushBus;
      logger: Logger;
      /** First retry delay; doubles each attempt (tests shorten it). */
      backoffMs?: number;
      pollMs?: number;
      senders?: Partial<Record<StoredChannel['kind'], Sender>>;
    },
  ) {
    this.log = d.logger.child({ module: 'outbox' });
    this.senders = { webhook: sendWebhook, email: sendEmail, ...d.senders };
  }

  async start(): Promise<void> {
    await this.d.db
      .updateTable('deliveries')
      .set({ status: 'pending' })
      .where('status', '=', 'sending')
      .execute();
    this.running = true;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.busy = this.drain().finally(() => {
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : (this.d.pollMs ?? 500));
      });
    }, ms);
    this.timer.unref();
  }

  /** New deliveries were written: send now rather than at the next poll. */
  wake(): void {
    if (!this.running) return;
    if (this.busy) this.wakeRequested = true;
    else this.schedule(0);
  }

  /** Claims up to `n` due deliveries in one statement (marks them sending, counts the attempt). */
  private claim(n: number) {
    return this.d.db
      .updateTable('deliveries')
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: nowIso() }))
      .where(
        'id',
        'in',
        this.d.db
          .selectFrom('deliveries')
          .select('id')
          .where('status', 'in', ['pending', 'failed'])
          .where((eb) =>
            eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', nowIso())]),
          )
          .orderBy('created_at')
          .limit(n),
      )
      .returningAll()
      .execute();
  }

  /** Channels (decrypted), kept for up to 2 s: a burst reads each once. */
  private channelCache = new Map<string, Promise<StoredChannel | undefined>>();
  private channelCacheAt = 0;

  private channel(id: string): Promise<StoredChannel | undefined> {
    if (Date.now() - this.channelCacheAt > 2000) {
      this.channelCache = new Map();
      this.channelCacheAt = Date.now();
    }
    let c = this.channelCache.get(id);
    if (!c) {
      c = this.d.channels.stored(id);
      this.channelCache.set(id, c);
    }
    return c;
  }

  /** Sends everything due, up to CONCURRENCY requests in flight. */
  private async drain(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    this.channelCacheAt = 0; // settings may have changed since the last drain
    try {
      await this.foldDigests();
      for (;;) {
        // Refill once half the slots are free: one read per burst, not one per delivery.
        if (this.running && inFlight.size <= CONCURRENCY / 2) {
          // One read per burst: the claimed rows, then their alerts and events together.
          const claimed = (await this.claim(CONCURRENCY - inFlight.size)).sort((a, b) =>
            a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0,
          );
          const alerts = await this.d.alerts.alertsByIds(
            claimed.flatMap((r) => (r.alert_id ? [r.alert_id] : [])),
          );
          const events = await this.d.events.getMany([
            ...new Set([...alerts.values()].map((a) => a.eventId)),
          ]);
          for (const due of claimed) {
            const alert = due.alert_id ? alerts.get(due.alert_id) : undefined;
            const event = alert ? events.get(alert.eventId) : undefined;
            const p: Promise<void> = this.deliver(due, alert, event)
              .catch((err: unknown) =>
                this.log.error({ err, deliveryId: due.id }, 'delivery crashed'),
              )
              .finally(() => inFlight.delete(p));
            inFlight.add(p);
          }
        }
        if (inFlight.size === 0) return;
        await Promise.race(inFlight);
      }
    } catch (err) {
      this.log.error({ err }, 'outbox drain failed');
    } finally {
      await Promise.all(inFlight);
      this.busy = undefined;
    }
  }

  /**
   * Rate-limited deliveries wait (digest_of = 'awaiting'); once the channel's last hour has
   * room again they become one digest delivery.
   */
  private async foldDigests(): Promise<void> {
    const waiting = await this.d.db
      .selectFrom('deliveries')
      .select(['channel_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('digest_of', '=', AWAITING_DIGEST)
      .groupBy('channel_id')
      .execute();
    if (waiting.length === 0) return;
    const { maxPerHour } = await this.d.preferences.get();
    for (const w of waiting) {
      await this.d.db.transaction().execute(async (trx) => {
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
      });
    }
  }

  private async snapshotPath(imageId: number | null): Promise<string | undefined> {
    if (imageId === null) return undefined;
    const row = await this.d.db
      .selectFrom('ingest_queue')
      .select('path')
      .where('id', '=', imageId)
      .executeTakeFirst();
    return row && fs.existsSync(row.path) ? row.path : undefined;
  }

  private async digestOf(id: string): Promise<{ count: number; cameras: string[] }> {
    const rows = await this.d.db
      .selectFrom('deliveries as d')
      .innerJoin('alerts as a', 'a.id', 'd.alert_id')
      .innerJoin('events as e', 'e.id', 'a.event_id')
      .innerJoin('cameras as c', 'c.id', 'e.camera_id')
      .select('c.name')
      .where('d.digest_of', '=', id)
      .execute();
    return { count: rows.length, cameras: [...new Set(rows.map((r) => r.name))].sort() };
  }

  private async deliver(
    row: Selectable<DeliveriesTable>,
    alert: Alert | undefined,
    event: SecurityEvent | undefined,
  ): Promise<void> {
    const channel = await this.channel(row.channel_id);
    const digest = row.alert_id === null ? await this.digestOf(row.id) : undefined;
    let update: Partial<Selectable<DeliveriesTable>>;
    try {
      if (!channel) throw new SendError('The channel was deleted', false);
      if (!channel.enabled) throw new SendError('The channel is disabled', false);
      const send = this.senders[channel.kind];
      if (!send) throw new SendError(`No sender for ${channel.kind} channels`, false);
      await send(channel, {
        idempotencyKey: row.idempotency_key,
        alert: alert ?? null,
        event: event ?? null,
        digest,
        // Only emails attach the snapshot.
        snapshotPath:
          channel.kind === 'email'
            ? await this.snapshotPath(event?.thumbnailImageId ?? null)
            : undefined,
      });
      update = { status: 'sent', sent_at: nowIso(), last_error: null, next_attempt_at: null };
    } catch (err) {
      const e = err instanceof SendError ? err : new SendError((err as Error).message, true);
      const give = !e.retryable || row.attempts >= MAX_ATTEMPTS;
      const base = (this.d.backoffMs ?? 2000) * 2 ** (row.attempts - 1);
      const delay = e.retryAfterMs ?? base * (0.8 + Math.random() * 0.4);
      update = {
        status: give ? 'dead' : 'failed',
        last_error: e.message.slice(0, 500),
        next_attempt_at: give ? null : new Date(Date.now() + delay).toISOString(),
      };
      this.log.warn(
        { deliveryId: row.id, attempt: row.attempts, error: e.message },
        give ? 'delivery dead' : 'delivery failed; will retry',
      );
    }
    const saved = await this.d.db
      .updateTable('deliveries')
      .set({ ...update, updated_at: nowIso() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.d.bus.emit('delivery.updated', toDelivery(saved));
  }

  async list(f: {
    status?: Delivery['status'];
    alertId?: string;
    limit?: number;
  }): Promise<Delivery[]> {
    let q = this.d.db
      .selectFrom('deliveries')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(f.limit ?? 200);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.alertId) q = q.where('alert_id', '=', f.alertId);
    return (await q.execute()).map(toDelivery);
  }

  /** A dead (or failed) delivery gets a fresh set of attempts. */
  async retry(id: string): Promise<Delivery> {
    const row = await this.d.db
      .updateTable('deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: null, updated_at: nowIso() })
      .where('id', '=', id)
      .where('status', 'in', ['dead', 'failed'])
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const exists = await this.d.db
        .selectFrom('deliveries')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!exists) throw new AppError('not_found', `No delivery with id "${id}"`);
      throw new AppError(
        'conflict',
        `Delivery is ${exists.status}; only failed or dead deliveries can be retried`,
      );
    }
    this.wake();
    return toDelivery(row);
  }

  /** Sends one test message now, outside the outbox. */
  async test(channelId: string): Promise<{ ok: boolean; error?: string }> {
    const channel = await this.d.channels.stored(channelId);
    if (!channel) throw new AppError('not_found', `No channel with id "${channelId}"`);
    const send = this.senders[channel.kind];
    if (!send) return { ok: false, error: `No sender for ${channel.kind} channels` };
    try {
      await send(channel, {
        idempotencyKey: `test-${Date.now()}`,
        alert: null,
        event: null,
        test: true,
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.busy;
  }
}
