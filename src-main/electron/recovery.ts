/**
 * What the desktop app asks when its database cannot be read at start (pure data, so it is
 * tested without Electron): restore the latest backup, or quit — never a crash.
 */
import type { MessageBoxOptions } from 'electron';
import type { BackupInfo } from '../../src-shared/domain';

export const RESTORE = 0;

export function unreadableDatabaseDialog(
  databaseFile: string,
  reason: string,
  backups: BackupInfo[],
): MessageBoxOptions {
  const latest = backups[0];
  return {
    type: 'error',
    title: 'Home Security Intelligence',
    message: 'The database cannot be read',
    detail:
      `${databaseFile} is damaged or is not a database (${reason}).\n\n` +
      (latest
        ? `Restore the latest backup, taken ${latest.at}? The damaged file is kept beside it.`
        : 'There is no backup to restore. Move the file away to start with an empty database.'),
    buttons: latest ? ['Restore the latest backup', 'Quit'] : ['Quit'],
    defaultId: 0,
    cancelId: latest ? 1 : 0,
    noLink: true,
  };
}
