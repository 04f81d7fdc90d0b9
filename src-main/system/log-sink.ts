import type Database from 'better-sqlite3';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

interface Row {
  at: string;
  level: string;
  module: string | null;
  message: string;
  correlation_id: string | null;
  context: string | null;
}

/**
 * A pino destination that lands log lines in the `logs` table, in batches, so the debug
 * panels can search them. Lines logged before the database is attached are buffered.
 */
export class SqliteLogSink {
  private buffer: Row[] = [];
  private insert?: (rows: Row[]) => void;
  private timer?: NodeJS.Timeout;
  private readonly maxBuffered = 5000;

  constructor(private readonly flushMs = 500) {}

  attach(sqlite: Database.Database): void {
    const stmt = sqlite.prepare(
      `INSERT INTO logs (at, level, module, message, correlation_id, context)
       VALUES (@at, @level, @module, @message, @correlation_id, @context)`,
    );
    this.insert = sqlite.transaction((rows: Row[]) => {
      for (const row of rows) stmt.run(row);
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
