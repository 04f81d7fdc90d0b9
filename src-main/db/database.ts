import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Migration } from 'kysely';
import { Kysely, Migrator, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import { AppError } from '../../src-shared/errors';
import {
  DatabaseUnreadableError,
  backupDatabase,
  isUnreadableDatabase,
  listBackups,
} from './backups';
import { MIGRATIONS, StaticMigrationProvider } from './migrations';
import type { DB } from './schema';

/** SQLite runs DDL inside transactions, so each migration (and its bookkeeping row) is atomic. */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class TransactionalSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/**
 * Kysely's SQLite driver prepares every query afresh; preparing costs as much as running a
 * small query. Statements are cached by their SQL text (most recently used kept), which is
 * safe because better-sqlite3 runs each statement to completion synchronously.
 */
export function cachingDatabase(sqlite: Database.Database, size = 256) {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): Database.Statement {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
    clear: () => cache.clear(),
  };
}

export interface OpenedDatabase {
  db: Kysely<DB>;
  /** The raw handle, for the few things Kysely does not cover (backup, pragmas). */
  sqlite: Database.Database;
  /** Answers when the database does (the health probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  migrations?: Readonly<Record<string, Migration>>;
  /** Stop after this migration (tests of data-moving migrations). */
  migrateTo?: string;
}

export async function openDatabase(
  file: string,
  options: OpenDatabaseOptions = {},
): Promise<OpenedDatabase> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  const statements = cachingDatabase(sqlite);
  const db = new Kysely<DB>({ dialect: new TransactionalSqliteDialect({ database: statements }) });
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    // A damaged file may open and fail only when a page is read: a cheap check now.
    if (file !== ':memory:') checkReadable(sqlite, file);
    // Migrations run with foreign keys off, so a rebuilt table (SQLite cannot widen a CHECK in
    // place) keeps the rows that reference it; every reference is checked afterwards.
    sqlite.pragma('foreign_keys = OFF');
    // A database about to be changed by migrations is copied first.
    await migrate(db, options, (next) =>
      file === ':memory:'
        ? Promise.resolve()
        : backupDatabase(sqlite, file, 'migration', `before-${next}`),
    );
    const broken = sqlite.pragma('foreign_key_check') as { table: string; parent: string }[];
    if (broken.length) {
      const first = broken[0]!;
      throw new Error(
        `After the migrations ${broken.length} rows of ${first.table} refer to missing ${first.parent} rows`,
      );
    }
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    await db.destroy();
    if (isUnreadableDatabase(err)) {
      throw new DatabaseUnreadableError(file, err as Error, listBackups(file));
    }
    throw err;
  }
  // Statements prepared before the schema changed are not reused.
  statements.clear();
  return {
    db,
    sqlite,
    ping: async () => void (await sql`SELECT 1`.execute(db)),
    close: () => db.destroy(),
  };
}

/**
 * Fails with SQLITE_CORRUPT / SQLITE_NOTADB when the file is not a database or is shorter than
 * its header says (cut off by a full disk or a bad copy) — without reading every page, which
 * would make each start as slow as the database is large.
 */
function checkReadable(sqlite: Database.Database, file: string): void {
  sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < 100) return; // a new, empty database
  const pageSize = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
  // The page count in the header is valid when its version matches the change counter.
  const pages = header.readUInt32BE(92) === header.readUInt32BE(24) ? header.readUInt32BE(28) : 0;
  const size = fs.statSync(file).size;
  if (pages > 0 && size < pages * pageSize) {
    throw Object.assign(
      new Error(`the file is ${size} bytes, its header says ${pages * pageSize}`),
      { code: 'SQLITE_CORRUPT' },
    );
  }
}

async function migrate(
  db: Kysely<DB>,
  options: OpenDatabaseOptions,
  backupBefore: (nextMigration: string) => Promise<unknown>,
): Promise<void> {
  const known = options.migrations ?? MIGRATIONS;
  const applied = await appliedMigrations(db);
  const unknown = applied.filter((name) => !(name in known));
  if (unknown.length > 0) {
    throw new AppError(
      'conflict',
      `This database was written by a newer version of the app (migration ${unknown.join(', ')}). ` +
        'Install the newer version, or point --data-dir at another folder.',
    );
  }
  const pending = Object.keys(known)
    .sort()
    .filter((name) => !applied.includes(name))
    .filter((name) => !options.migrateTo || name <= options.migrateTo);
  // A new database has nothing to lose; an existing one is copied before it changes.
  if (applied.length > 0 && pending.length > 0) await backupBefore(pending[0]!);
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(known) });
  const { error, results } = options.migrateTo
    ? await migrator.migrateTo(options.migrateTo)
    : await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(
      `Database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error).message ?? error)}`,
    );
  }
}

async function appliedMigrations(db: Kysely<DB>): Promise<string[]> {
  const exists = await sql<{ n: number }>`
    SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'
  `.execute(db);
  if (!exists.rows[0]?.n) return [];
  const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(
    db,
  );
  return rows.rows.map((r) => r.name);
}
