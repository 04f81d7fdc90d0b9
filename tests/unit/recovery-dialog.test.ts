import { describe, expect, it } from 'vitest';
import { RESTORE, unreadableDatabaseDialog } from '../../src-main/electron/recovery';

const backup = {
  file: '/data/backups/hsi-manual-2026-11-29T10-00-00-000Z.sqlite',
  bytes: 4096,
  at: '2026-11-29T10:00:00.000Z',
  reason: 'manual' as const,
};

describe('the damaged-database dialog', () => {
  it('offers the latest backup first, and Quit as the cancel answer', () => {
    const d = unreadableDatabaseDialog('/data/hsi.sqlite', 'file is not a database', [backup]);
    expect(d.buttons![RESTORE]).toBe('Restore the latest backup');
    expect(d.buttons![d.cancelId!]).toBe('Quit');
    expect(d.detail).toContain('taken 2026-11-29T10:00:00.000Z');
    expect(d.detail).toContain('file is not a database');
  });

  it('with no backup, only says so and quits', () => {
    const d = unreadableDatabaseDialog('/data/hsi.sqlite', 'truncated', []);
    expect(d.buttons).toEqual(['Quit']);
    expect(d.detail).toContain('There is no backup to restore');
  });
});
