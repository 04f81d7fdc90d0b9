import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../db/schema';
import { nowIso } from '../common/ids';

export type Qos = 0 | 1 | 2;

export interface OutgoingMessage {
  topic: string;
  payload: Buffer;
  qos: Qos;
  retain: boolean;
}

export interface QueuedMessage extends OutgoingMessage {
  id: number;
}

/** `mqtt_queue`: messages waiting for the broker, oldest first, bounded. */
export function mqttQueueRepository(db: Kysely<DB>) {
  return {
    /** Appends a message; beyond `limit` the oldest go. Resolves with how many were dropped. */
    async push(m: OutgoingMessage, limit: number): Promise<number> {
      return db.transaction().execute(async (tx) => {
        await tx
          .insertInto('mqtt_queue')
          .values({
            topic: m.topic,
            payload: m.payload,
            qos: m.qos,
            retain: m.retain ? 1 : 0,
            created_at: nowIso(),
          })
          .execute();
        const { n } = await tx
          .selectFrom('mqtt_queue')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const over = Number(n) - limit;
        if (over <= 0) return 0;
        await sql`DELETE FROM mqtt_queue WHERE id IN
          (SELECT id FROM mqtt_queue ORDER BY id LIMIT ${over})`.execute(tx);
        return over;
      });
    },

    /** The oldest `n` messages, in order. */
    async oldest(n: number): Promise<QueuedMessage[]> {
      const rows = await db.selectFrom('mqtt_queue').selectAll().orderBy('id').limit(n).execute();
      return rows.map((r) => ({
        id: r.id,
        topic: r.topic,
        payload: Buffer.from(r.payload),
        qos: r.qos as Qos,
        retain: r.retain === 1,
      }));
    },

    async remove(id: number): Promise<void> {
      await db.deleteFrom('mqtt_queue').where('id', '=', id).execute();
    },

    async count(): Promise<number> {
      const { n } = await db
        .selectFrom('mqtt_queue')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
  };
}

export type MqttQueueRepository = ReturnType<typeof mqttQueueRepository>;
