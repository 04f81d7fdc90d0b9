/**
 * Text from the LLM, from cameras and from the user is shown as text: markup in an event's
 * summary and reasoning, in its notes, in a camera's and a rule's name never runs, never loads
 * anything, and reads back literally — on every page that shows it.
 */
import { insertScoredEvents } from '../helpers/events';
import { openAt, seedCameras, withAppDb } from './app-db';
import { expect, test } from './fixtures';

const PAYLOADS = [
  '<script>window.__pwned = "script"</script>',
  '<img src="http://evil.invalid/x.png" onerror="window.__pwned = \'img\'">',
  '<svg onload="window.__pwned = \'svg\'"></svg>',
  '<a href="javascript:window.__pwned = \'link\'">click</a>',
  '<iframe src="http://evil.invalid/"></iframe>',
];
const MARKUP = PAYLOADS.join(' ');

test('markup from the LLM, cameras and the user is shown inertly: nothing runs, nothing loads', async ({
  page,
  hsi,
}) => {
  const [eventId] = await withAppDb(hsi.dataDir, async (db) => {
    await seedCameras(db, hsi.dataDir, [['porch', `Porch ${PAYLOADS[1]}`]]);
    const ids = await insertScoredEvents(db, [
      {
        cameraId: 'porch',
        startedAt: new Date(Date.now() - 60_000).toISOString(),
        component: 88,
        scorer: 'llm',
      },
    ]);
    await db
      .updateTable('events')
      .set({ summary: `Person ${PAYLOADS[0]}`, reasoning: MARKUP, notes: PAYLOADS[3] })
      .where('id', '=', ids[0]!)
      .execute();
    const now = new Date().toISOString();
    await db
      .insertInto('alert_rules')
      .values({
        id: 'rule-x',
        name: `Rule ${PAYLOADS[2]}`,
        severity: 'high',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('alerts')
      .values({
        id: 'alert-x',
        rule_id: 'rule-x',
        event_id: ids[0]!,
        severity: 'high',
        status: 'active',
        dedup_key: 'x',
        matched_conditions: JSON.stringify([PAYLOADS[4]]),
        rule_name: `Rule ${PAYLOADS[2]}`,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return ids;
  });

  const origin = new URL(page.url()).origin;
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const pwned = () => page.evaluate(() => (window as { __pwned?: string }).__pwned ?? null);

  // Every place the text shows: dashboard, events, the event's detail, alerts, cameras.
  await openAt(page, hsi, '#/');
  await expect(page.getByText('Porch <img', { exact: false }).first()).toBeVisible();
  await openAt(page, hsi, '#/events');
  const card = page.locator('article[data-testid^="event-card-"]').first();
  await expect(card).toContainText('Person <script>window.__pwned = "script"</script>');
  await card.getByRole('link').first().click();
  const detail = page.getByRole('dialog');
  await expect(detail).toContainText('<iframe src="http://evil.invalid/"></iframe>');
  await expect(detail.getByLabel('Notes')).toHaveValue(PAYLOADS[3]!);
  await page.keyboard.press('Escape');
  await openAt(page, hsi, '#/alerts');
  await expect(page.getByText(`Rule ${PAYLOADS[2]}`).first()).toBeVisible();
  await openAt(page, hsi, `#/events/${eventId}`);
  await expect(page.getByRole('dialog')).toContainText('onerror=');

  // Nothing ran, nothing was asked of another origin, no element was made from the markup.
  expect(await pwned()).toBeNull();
  expect(dialogs).toEqual([]);
  expect(foreign).toEqual([]);
  expect(await page.locator('script:not([src]), iframe, svg[onload], img[onerror]').count()).toBe(
    0,
  );
});
