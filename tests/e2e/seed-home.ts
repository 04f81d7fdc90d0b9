import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { insertScoredEvents } from '../helpers/events';
import { jpeg } from '../helpers/images';
import { seedCameras, withAppDb } from './app-db';
import type { HsiLaunch } from './fixtures';
import { expect } from './fixtures';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

export interface SeededHome {
  /** Event ids, newest first. */
  eventIds: string[];
  ruleName: string;
}

/**
 * A lived-in home, written into the app's SQLite file: two cameras, events of every risk
 * level over the last two days (one in the last hour, so the gauge shows it), a rule and its
 * alerts (one active, one acknowledged).
 */
export async function seedHome(dataDir: string): Promise<SeededHome> {
  const ruleName = 'People at the door';
  return withAppDb(dataDir, async (db) => {
    await seedCameras(db, dataDir, [
      ['front', 'Front door'],
      ['yard', 'Back yard'],
    ]);
    const eventIds = await insertScoredEvents(db, [
      { cameraId: 'front', startedAt: ago(10 * MINUTE_MS), component: 88, objectClass: 'person' },
      { cameraId: 'yard', startedAt: ago(3 * HOUR_MS), component: 65, objectClass: 'person' },
      { cameraId: 'front', startedAt: ago(5 * HOUR_MS), component: 45, objectClass: 'car' },
      { cameraId: 'yard', startedAt: ago(26 * HOUR_MS), component: 15, objectClass: 'dog' },
      { cameraId: 'front', startedAt: ago(30 * HOUR_MS), component: 72, objectClass: 'person' },
    ]);
    const now = new Date().toISOString();
    await db
      .insertInto('alert_rules')
      .values({
        id: 'rule-door',
        name: ruleName,
        severity: 'high',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const alerts = [
      { eventId: eventIds[0]!, severity: 'critical', status: 'active' as const },
      { eventId: eventIds[1]!, severity: 'high', status: 'acknowledged' as const },
    ];
    for (const [i, a] of alerts.entries()) {
      await db
        .insertInto('alerts')
        .values({
          id: `alert-${i}`,
          rule_id: 'rule-door',
          event_id: a.eventId,
          severity: a.severity,
          status: a.status,
          dedup_key: `door:${i}`,
          matched_conditions: JSON.stringify(['object class person']),
          rule_name: ruleName,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    return { eventIds, ruleName };
  });
}

/**
 * A snapshot dropped into the `Porch` camera's ingest folder, and waited for until the camera
 * shows it (the fixture detector sees a person and a car in it).
 */
export async function dropSnapshot(page: Page, hsi: HsiLaunch): Promise<void> {
  const folder = path.join(hsi.dataDir, 'ingest', 'Porch');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '.snap.tmp'), await jpeg(320, 240));
  fs.renameSync(path.join(folder, '.snap.tmp'), path.join(folder, 'snap.jpg'));
  const base = hsi.entryUrl ?? page.url().replace(/#.*$/, '');
  await page.goto(`${base}#/cameras`);
  await expect(page.getByRole('img', { name: 'Latest snapshot from Porch' })).toBeVisible({
    timeout: 20_000,
  });
}
