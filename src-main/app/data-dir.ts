import fs from 'node:fs';
import path from 'node:path';

/** Why a folder cannot be written, in words. */
function why(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EROFS':
      return 'its disk is mounted read-only';
    case 'EACCES':
    case 'EPERM':
      return 'writing there is not permitted (its permissions, or it is marked immutable)';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'that path is a file, not a folder';
    default:
      return err.message;
  }
}

/**
 * Creates the data folder if need be and checks a file can be written in it, before anything
 * else opens there: a folder the app cannot write stops the start with what to do, rather
 * than with whatever the database or the log file happen to say first.
 */
export function ensureWritableDataDir(dataDir: string): void {
  const probe = path.join(dataDir, `.write-check-${process.pid}`);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(
      `The data folder ${dataDir} cannot be written to: ${why(e)} (${e.code ?? 'error'}). ` +
        'The database, snapshots, exports and logs live there: make it writable, or start ' +
        'with another data folder (hsi serve --data-dir DIR, or HSI_DATA_DIR).',
    );
  }
}
