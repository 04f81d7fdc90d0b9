import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jpeg } from '../helpers/images';
import { capturingLogger } from '../helpers/logs';
import { startIngestApp, writeAtomically } from '../helpers/ingest-app';
import type { TestApp } from '../helpers/temp-app';
import type { FakeWebhook } from '../helpers/webhook-server';
import { startWebhookServer } from '../helpers/webhook-server';

let t: TestApp | undefined;
let hook: FakeWebhook | undefined;
afterEach(async () => {
  await t?.close();
  await hook?.close();
  t = undefined;
  hook = undefined;
});

describe('correlation ids', () => {
  it('follow one snapshot from the folder to its delivered webhook, in the rows and every log line', async () => {
    const { logger, lines } = capturingLogger();
    t = await startIngestApp({
      settings: { batching: { idleSeconds: 0.1, stationary: { seconds: 0 } } },
      config: { logger, outboxPollMs: 50 },
    });
    hook = await startWebhookServer();
    await t.call('cameras.create', { name: 'Porch' });
    const channel = await t.call('notify.channels.create', {
      kind: 'webhook',
      name: 'Hub',
      config: { url: hook.url },
    });
    await t.call('alertRules.create', {
      name: 'People',
      severity: 'high',
      objectClasses: ['person'],
      channelIds: [channel.id],
    });

    writeAtomically(path.join(t.dataDir, 'ingest', 'porch', 'snap.jpg'), await jpeg(96, 72, 7));
    await expect
      .poll(() => t!.call('notify.deliveries.list', {}).then((d) => d[0]?.status), {
        timeout: 10_000,
      })
      .toBe('sent');

    const db = t.app.db;
    const image = await db.selectFrom('ingest_queue').selectAll().executeTakeFirstOrThrow();
    const id = image.correlation_id!;
    expect(id).toMatch(/^[0-9a-z]{26}$/);
    const ids = async (table: 'batches' | 'events' | 'alerts' | 'deliveries') =>
      (await db.selectFrom(table).select('correlation_id').execute()).map((r) => r.correlation_id);
    expect(await ids('batches')).toEqual([id]);
    expect(await ids('events')).toEqual([id]);
    expect(await ids('alerts')).toEqual([id]);
    expect(await ids('deliveries')).toEqual([id]);
    const [event] = (await t.call('events.list', {})).items;
    expect(event!.correlationId).toBe(id);

    // Every step of the way logged under the image's id: filtering by it tells the story.
    const story = lines.filter((l) => l.correlationId === id).map((l) => l.msg);
    for (const step of [
      'image queued',
      'image processed',
      'batch opened',
      'event created',
      'alert raised',
      'delivery sent',
    ]) {
      expect(story, step).toContain(step);
    }
  });

  it("a channel call's lines carry the call's id", async () => {
    const { logger, lines } = capturingLogger();
    t = await startIngestApp({ config: { logger } });
    const r = await t.app.router.invoke(
      'cameras.create',
      { name: 'Garage' },
      { transport: 'internal', correlationId: 'call-42' },
    );
    expect(r.ok).toBe(true);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'call', channel: 'cameras.create', correlationId: 'call-42' }),
    );
    const bad = await t.app.router.invoke(
      'cameras.get',
      { id: 'nope' },
      { transport: 'internal', correlationId: 'call-43' },
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(lines).toContainEqual(
      expect.objectContaining({ code: 'not_found', correlationId: 'call-43' }),
    );
  });
});
