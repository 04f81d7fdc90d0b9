import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseUnreadableError, backupsDir, listBackups } from '../../src-main/db/backups';
import { openDatabase } from '../../src-main/db/database';
import { MIGRATIONS } from '../../src-main/db/migrations';
import { startServe } from '../helpers/serve-process';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NAMES = Object.keys(MIGRATIONS).sort();

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const migrationsIn = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM kysely_migration').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('database backups', () => {
  it('copies the database before each migration, keeping the last three; a new one needs none', async () => {
    const file = path.join(tempDir('hsi-backup-'), 'hsi.sqlite');
    await (await openDatabase(file, { migrateTo: NAMES[8] })).close();
    expect(listBackups(file)).toEqual([]);
    for (const name of NAMES.slice(9))
      await (await openDatabase(file, { migrateTo: name })).close();
    const backups = listBackups(file);
    expect(backups.map((b) => b.reason)).toEqual(['migration', 'migration', 'migration']);
    // The newest was taken just before the last migration: it holds all the others.
    expect(path.basename(backups[0]!.file)).toContain(`before-${NAMES.at(-1)}`);
    expect(migrationsIn(backups[0]!.file)).toBe(NAMES.length - 1);
    // Opening an up-to-date database takes none.
    await (await openDatabase(file)).close();
    expect(listBackups(file)).toHaveLength(3);
  });

  it('makes a consistent copy on demand (system.backup), keeping the last five', async () => {
    t = await startTestApp();
    await t.call('cameras.create', { name: 'Porch' });
    const backup = await t.call('system.backup', {});
    expect(backup).toMatchObject({ reason: 'manual' });
    expect(backup.bytes).toBeGreaterThan(0);
    expect(path.dirname(backup.file)).toBe(backupsDir(path.join(t.dataDir, 'hsi.sqlite')));
    const copy = new Database(backup.file, { readonly: true });
    expect(copy.prepare('SELECT name FROM cameras').all()).toEqual([{ name: 'Porch' }]);
    copy.close();
    for (let i = 0; i < 5; i += 1) await t.call('system.backup', {});
    const kept = listBackups(path.join(t.dataDir, 'hsi.sqlite'));
    expect(kept).toHaveLength(5);
    expect(kept.map((b) => b.file)).not.toContain(backup.file);
  });

  it('a damaged database stops the start with what to do; restore-backup brings the latest back', async () => {
    t = await startTestApp();
    const { dataDir } = t;
    await t.call('cameras.create', { name: 'Porch' });
    const backup = await t.call('system.backup', {});
    await t.call('cameras.create', { name: 'After the backup' });
    await t.app.close();
    t = undefined;
    const file = path.join(dataDir, 'hsi.sqlite');
    // Cut off, as a full disk or a bad copy leaves it.
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));

    const refused = await startTestApp({ dataDir }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(DatabaseUnreadableError);
    expect((refused as Error).message).toContain(path.basename(backup.file));
    expect((refused as Error).message).toContain('hsi restore-backup');
    const serve = await startServe(['--data-dir', dataDir, '--port', '0']).then(
      () => 'started',
      (err: Error) => err.message,
    );
    expect(serve).toMatch(/serve exited with 3:\nhsi: The database .* cannot be read/);

    const restore = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'hsi.js'), 'restore-backup', '--data-dir', dataDir],
      { encoding: 'utf8' },
    );
    expect(restore.status).toBe(0);
    expect(restore.stdout).toContain(`Restored ${backup.file}`);
    // Kept, with its WAL and shared-memory files.
    const damaged = fs
      .readdirSync(dataDir)
      .filter((f) => f.startsWith('hsi.sqlite.damaged-') && !/-(wal|shm)$/.test(f));
    expect(damaged).toHaveLength(1);

    t = await startTestApp({ dataDir });
    expect((await t.call('cameras.list', {})).map((c) => c.name)).toEqual(['Porch']);
  });

  it('a file that is not a database is refused the same way; with no backup it says so', async () => {
    const dataDir = tempDir('hsi-backup-');
    fs.writeFileSync(
      path.join(dataDir, 'hsi.sqlite'),
      'not a database at all, just text'.repeat(100),
    );
    const refused = await startTestApp({ dataDir }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(DatabaseUnreadableError);
    expect((refused as Error).message).toContain('There is no backup to restore');
    const restore = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'hsi.js'), 'restore-backup', '--data-dir', dataDir],
      { encoding: 'utf8' },
    );
    expect(restore.status).toBe(2);
    expect(restore.stderr).toContain('No backup of');
  });
});
