import type Database from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { LogsTable } from '../db/schema';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** A `logs` row as written (its id is the table's). */
type Row = Omit<Selectable<LogsTable>, 'id'>;

/**
 * A pino destination that lands log lines in the `logs` table, in batches, so the debug
 * panels can search them. Lines logged before the database is attached are buffered. It owns
 * the `logs` table and writes it with the raw handle: a log line must not wait on Kysely.
 */
export class SqliteLogSink {
  private buffer: Row[] = [];
  private insert?: (rows: Row[]) => void;
  private timer?: NodeJS.Timeout;
  private readonly maxBuffered = 5000;

  constructor(
    private readonly flushMs = 500,
    /** How many log lines the table keeps (the newest). */
    private readonly keepRows = 200_000,
  ) {}

  attach(sqlite: Database.Database): void {
    const stmt = sqlite.prepare(
      `INSERT INTO logs (at, level, module, message, correlation_id, context)
       VALUES (@at, @level, @module, @message, @correlation_id, @context)`,
    );
    // Retention: the newest `keepRows` lines stay.
    const prune = sqlite.prepare('DELETE FROM logs WHERE id <= (SELECT max(id) FROM logs) - ?');
    this.insert = sqlite.transaction((rows: Row[]) => {
      for (const row of rows) stmt.run(row);
      prune.run(this.keepRows);
    });
    this.schedule();
  }

  detach(): void {
    this.flush();
    this.insert = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** pino calls this with one JSON line per record. */
  write(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { time, level, module, msg, correlationId, ...rest } = record;
    if (this.buffer.length >= this.maxBuffered) this.buffer.shift();
    this.buffer.push({
      at: typeof time === 'string' ? time : new Date().toISOString(),
      level: LEVELS[Number(level)] ?? String(level),
      module: typeof module === 'string' ? module : null,
      message: typeof msg === 'string' ? msg : '',
      correlation_id: typeof correlationId === 'string' ? correlationId : null,
      context: Object.keys(rest).length ? JSON.stringify(rest) : null,
    });
    this.schedule();
  }

  flush(): void {
    if (!this.insert || this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    try {
      this.insert(rows);
    } catch {
      // The log table is best effort: stderr still has every line.
    }
  }

  private schedule(): void {
    if (this.timer || !this.insert || this.buffer.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.flushMs);
    this.timer.unref();
  }
}
