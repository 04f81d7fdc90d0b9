import path from 'node:path';
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DB } from '../../src-main/db/schema';
import type { HsiLaunch } from './fixtures';

/** Runs `fn` on a connection of its own to the app's SQLite file (seeding what a test needs). */
export async function withAppDb<T>(
  dataDir: string,
  fn: (db: Kysely<DB>) => Promise<T>,
): Promise<T> {
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: new Database(path.join(dataDir, 'hsi.sqlite')) }),
  });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** Cameras (id, name) with their folders in the data directory. */
export async function seedCameras(
  db: Kysely<DB>,
  dataDir: string,
  cameras: readonly (readonly [id: string, name: string])[],
): Promise<void> {
  const now = new Date().toISOString();
  for (const [id, name] of cameras) {
    await db
      .insertInto('cameras')
      .values({ id, name, folder: path.join(dataDir, id), created_at: now, updated_at: now })
      .execute();
  }
}

/** Opens a place in the app (browser mode: through the tokenised link again). */
export async function openAt(page: Page, hsi: HsiLaunch, hash: string): Promise<void> {
  if (hsi.entryUrl) await page.goto(`${hsi.entryUrl}${hash}`);
  else await page.goto(page.url().replace(/#.*$/, '') + hash);
}

/**
 * Calls one of the app's channels the way the app does — over HTTP in a browser, over the
 * bridge in Electron — and returns its data (a failed call fails the test).
 */
export async function callApp<T = unknown>(
  page: Page,
  hsi: HsiLaunch,
  channel: string,
  input: unknown,
): Promise<T> {
  let result: { ok: boolean; data?: unknown; error?: unknown };
  if (hsi.entryUrl) {
    const entry = new URL(hsi.entryUrl);
    const response = await page.request.post(`${entry.origin}/api/rpc/${channel}`, {
      headers: { authorization: `Bearer ${entry.searchParams.get('token')}` },
      data: input as Record<string, unknown>,
    });
    result = (await response.json()) as typeof result;
  } else {
    result = await page.evaluate(
      async ([name, data]) => {
        type Bridge = { invoke(channel: string, input: unknown): Promise<typeof result> };
        return (window as unknown as { hsi: Bridge }).hsi.invoke(name, data);
      },
      [channel, input] as const,
    );
  }
  if (!result.ok) throw new Error(`${channel} failed: ${JSON.stringify(result.error)}`);
  return result.data as T;
}
