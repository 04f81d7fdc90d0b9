import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { BackupInfo } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';

export type { BackupInfo };

/** Backups taken before migrations: the newest this many are kept. */
export const MIGRATION_BACKUPS_KEPT = 3;
/** Backups taken on demand (`system.backup`): the newest this many are kept. */
export const MANUAL_BACKUPS_KEPT = 5;

/** `DATA/backups`, beside the database file. */
export function backupsDir(databaseFile: string): string {
  return path.join(path.dirname(databaseFile), 'backups');
}

const stamp = (at: Date) => at.toISOString().replace(/[:.]/g, '-');

/**
 * A consistent copy of the open database (SQLite's online backup API: other connections may
 * keep writing), as `backups/hsi-<reason>-<label>-<time>.sqlite`; older ones of the same
 * reason beyond what is kept are deleted.
 */
export async function backupDatabase(
  sqlite: Database.Database,
  databaseFile: string,
  reason: BackupInfo['reason'],
  label = '',
): Promise<BackupInfo> {
  const dir = backupsDir(databaseFile);
  await fsp.mkdir(dir, { recursive: true });
  const at = new Date();
  const name = `hsi-${reason}${label ? `-${label}` : ''}-${stamp(at)}.sqlite`;
  const file = path.join(dir, name);
  await sqlite.backup(file);
  const kept = reason === 'migration' ? MIGRATION_BACKUPS_KEPT : MANUAL_BACKUPS_KEPT;
  for (const old of listBackups(databaseFile)
    .filter((b) => b.reason === reason)
    .slice(kept)) {
    await fsp.rm(old.file, { force: true });
  }
  return { file, bytes: fs.statSync(file).size, at: at.toISOString(), reason };
}

/** Every backup beside the database, newest first. */
export function listBackups(databaseFile: string): BackupInfo[] {
  const dir = backupsDir(databaseFile);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .flatMap((name): BackupInfo[] => {
      const m = /^hsi-(migration|manual)-.*\.sqlite$/.exec(name);
      if (!m) return [];
      const st = fs.statSync(path.join(dir, name));
      return [
        {
          file: path.join(dir, name),
          bytes: st.size,
          at: st.mtime.toISOString(),
          reason: m[1] as BackupInfo['reason'],
        },
      ];
    })
    .sort((a, b) => b.at.localeCompare(a.at) || b.file.localeCompare(a.file));
}

/** The database file cannot be read (damaged, truncated, not SQLite): what can be done. */
export class DatabaseUnreadableError extends AppError {
  /** What SQLite (or the size check) said. */
  readonly reason: string;

  constructor(
    readonly databaseFile: string,
    cause: Error,
    readonly backups: BackupInfo[],
  ) {
    const latest = backups[0];
    super(
      'unavailable',
      `The database ${databaseFile} cannot be read (${cause.message}). ` +
        (latest
          ? `The latest backup is ${path.basename(latest.file)} from ${latest.at}: restore it ` +
            '(the damaged file is kept beside it) with `hsi restore-backup`, or from the dialog.'
          : 'There is no backup to restore; move the file away to start with an empty database.'),
    );
    this.reason = cause.message;
  }
}

/** SQLite's "this is not (or no longer) a database" errors. */
export function isUnreadableDatabase(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB';
}

/**
 * Puts the latest backup in place of a damaged database: the damaged file (and its WAL and
 * shared-memory files) is moved aside as `<file>.damaged-<time>`, never deleted.
 */
export async function restoreLatestBackup(
  databaseFile: string,
): Promise<{ restored: BackupInfo; damagedFile: string }> {
  const [latest] = listBackups(databaseFile);
  if (!latest) throw new AppError('not_found', `No backup of ${databaseFile} to restore`);
  const damagedFile = `${databaseFile}.damaged-${stamp(new Date())}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(databaseFile + suffix)) {
      await fsp.rename(databaseFile + suffix, damagedFile + suffix);
    }
  }
  await fsp.copyFile(latest.file, databaseFile);
  return { restored: latest, damagedFile };
}
