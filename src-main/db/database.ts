import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Migration } from 'kysely';
import { Kysely, Migrator, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import { AppError } from '../../src-shared/errors';
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
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const statements = cachingDatabase(sqlite);
  const db = new Kysely<DB>({ dialect: new TransactionalSqliteDialect({ database: statements }) });
  try {
    await migrate(db, options);
  } catch (err) {
    await db.destroy();
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

async function migrate(db: Kysely<DB>, options: OpenDatabaseOptions): Promise<void> {
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
