import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DebugRecording } from '../../src-shared/domain';
import { newId } from '../common/ids';
import type { PurgeChunk, PurgeRequest } from '../db/purge';
import { purgeOlder } from '../db/purge';
import type { DB, DebugRecordingsTable } from '../db/schema';

function toRecording(r: Selectable<DebugRecordingsTable>): DebugRecording {
  const parse = (text: string | null): unknown => {
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // a truncated output is kept as text
    }
  };
  return {
    id: r.id,
    at: r.at,
    channel: r.channel,
    transport: r.transport,
    input: parse(r.input),
    output: parse(r.output),
    ok: r.ok === 1,
    code: r.code,
    durationMs: r.duration_ms,
    correlationId: r.correlation_id,
    truncated: r.truncated === 1,
    replayOf: r.replay_of,
  };
}

export interface NewRecording {
  at: string;
  channel: string;
  transport: string;
  /** JSON, secrets already redacted. */
  input: string;
  /** JSON, or text marked truncated. */
  output: string;
  truncated: boolean;
  ok: boolean;
  code: string | null;
  durationMs: number;
  correlationId: string;
  replayOf: string | null;
}

/** The `debug_recordings` table: a ring of the newest `keep` recorded calls. */
export function recordingRepository(db: Kysely<DB>, keep = 1000) {
  return {
    /** Retention: recordings older than the cutoff. */
    purge(req: PurgeRequest): Promise<PurgeChunk> {
      return purgeOlder(db, 'debug_recordings', 'at', req);
    },

    async insert(r: NewRecording): Promise<string> {
      const id = newId();
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('debug_recordings')
          .values({
            id,
            at: r.at,
            channel: r.channel,
            transport: r.transport,
            input: r.input,
            output: r.output,
            truncated: r.truncated ? 1 : 0,
            ok: r.ok ? 1 : 0,
            code: r.code,
            duration_ms: r.durationMs,
            correlation_id: r.correlationId,
            replay_of: r.replayOf,
          })
          .execute();
        // The ring: everything older than the newest `keep` goes.
        await sql`DELETE FROM debug_recordings WHERE rowid <= (
          SELECT rowid FROM debug_recordings ORDER BY rowid DESC LIMIT 1 OFFSET ${keep})`.execute(
          tx,
        );
      });
      return id;
    },

    async list(f: { channel?: string; limit?: number }): Promise<DebugRecording[]> {
      const rows = await db
        .selectFrom('debug_recordings')
        .selectAll()
        .$if(f.channel !== undefined, (q) => q.where('channel', '=', f.channel!))
        .orderBy(sql`rowid`, 'desc')
        .limit(f.limit ?? 100)
        .execute();
      return rows.map(toRecording);
    },

    async get(id: string): Promise<DebugRecording | undefined> {
      const row = await db
        .selectFrom('debug_recordings')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toRecording(row);
    },

    async clear(): Promise<number> {
      const r = await db.deleteFrom('debug_recordings').executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type RecordingRepository = ReturnType<typeof recordingRepository>;
