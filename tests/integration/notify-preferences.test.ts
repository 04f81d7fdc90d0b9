import { afterEach, describe, expect, it } from 'vitest';
import type { PushMessage } from '../../src-shared/contract';
import { detect } from '../helpers/events';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';
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

async function setup(severity: 'low' | 'high' = 'high') {
  t = await startTestApp({
    settingsPatch: { batching: { idleSeconds: 0.05, stationary: { seconds: 0 } } },
    outboxBackoffMs: 50,
    outboxPollMs: 50,
  });
  await t.call('cameras.create', { name: 'Front Door' });
  await t.call('cameras.create', { name: 'Garden' });
  hook = await startWebhookServer();
  const channel = await t.call('notify.channels.create', {
    kind: 'webhook',
    name: 'Hub',
    config: { url: hook.url },
  });
  await t.call('alertRules.create', {
    name: 'Everything',
    severity,
    channelIds: [channel.id],
    cooldownSeconds: 0,
  });
  return channel;
}

const deliveries = () => t!.call('notify.deliveries.list', { limit: 500 });
const eventCount = () => t!.call('events.stats', {}).then((s) => s.total);

describe('notification preferences', () => {
  it('round-trips and validates', async () => {
    const channel = await setup();
    expect(await t!.call('notify.preferences.get', {})).toEqual({
      mutedCameraIds: [],
      quietHours: null,
      maxPerHour: null,
      channelMinSeverity: {},
    });
    const saved = await t!.call('notify.preferences.update', {
      mutedCameraIds: ['garden'],
      quietHours: { start: '22:00', end: '07:00', timezone: 'UTC' },
      maxPerHour: 10,
      channelMinSeverity: { [channel.id]: 'medium' },
    });
    expect(saved).toEqual({
      mutedCameraIds: ['garden'],
      quietHours: { start: '22:00', end: '07:00', days: [0, 1, 2, 3, 4, 5, 6], timezone: 'UTC' },
      maxPerHour: 10,
      channelMinSeverity: { [channel.id]: 'medium' },
    });
    expect(
      (await t!.call('notify.preferences.update', { quietHours: null })).quietHours,
    ).toBeNull();
    expect(
      await t!.raw('notify.preferences.update', { quietHours: { start: '7pm', end: '07:00' } }),
    ).toMatchObject({
      error: { code: 'invalid_input' },
    });
  });

  it('a muted camera, a severity below the channel minimum and quiet hours spanning midnight are suppressed with a reason', async () => {
    const channel = await setup('low');
    await t!.call('notify.preferences.update', {
      mutedCameraIds: ['garden'],
      quietHours: { start: '22:00', end: '06:00', timezone: 'UTC' },
    });
    await detect(
      t!.app,
      'garden',
      [{ objectClass: 'person', confidence: 0.95 }],
      '2026-11-25T12:00:00.000Z',
    );
    await detect(
      t!.app,
      'front_door',
      [{ objectClass: 'person', confidence: 0.95 }],
      '2026-11-25T23:30:00.000Z',
    );
    await detect(
      t!.app,
      'front_door',
      [{ objectClass: 'person', confidence: 0.95, bbox: [0.5, 0.1, 0.6, 0.5] }],
      '2026-11-26T03:00:00.000Z',
    );
    await detect(
      t!.app,
      'front_door',
      [{ objectClass: 'person', confidence: 0.95, bbox: [0.7, 0.1, 0.8, 0.5] }],
      '2026-11-26T12:00:00.000Z',
    );
    await expect.poll(eventCount).toBe(4);
    await t!.app.alerts.idle();
    await expect
      .poll(() => deliveries().then((d) => d.filter((x) => x.status === 'sent').length), {
        timeout: 5000,
      })
      .toBe(1);
    const rows = await t!.app.db
      .selectFrom('deliveries')
      .select(['status', 'suppressed_reason'])
      .execute();
    expect(
      rows
        .filter((r) => r.status === 'suppressed')
        .map((r) => r.suppressed_reason)
        .sort(),
    ).toEqual(['Camera is muted', 'Quiet hours (22:00–06:00)', 'Quiet hours (22:00–06:00)']);
    // Raise the channel's minimum above the rule's severity: held back too.
    await t!.call('notify.preferences.update', {
      mutedCameraIds: [],
      quietHours: null,
      channelMinSeverity: { [channel.id]: 'high' },
    });
    await detect(
      t!.app,
      'garden',
      [{ objectClass: 'dog', confidence: 0.7 }],
      '2026-11-26T13:00:00.000Z',
    );
    await expect.poll(eventCount).toBe(5);
    await t!.app.alerts.idle();
    const last = await t!.app.db
      .selectFrom('deliveries')
      .select('suppressed_reason')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    expect(last?.suppressed_reason).toBe("Below this channel's minimum severity (high)");
    expect(hook!.received).toHaveLength(1);
  });

  it('100 alerts in a minute against maxPerHour 10: ten sent, the rest folded into one digest', async () => {
    await setup();
    await t!.call('notify.preferences.update', { maxPerHour: 10 });
    const now = Date.now();
    for (let i = 0; i < 100; i += 1) {
      await detect(
        t!.app,
        i % 2 ? 'garden' : 'front_door',
        [
          {
            objectClass: 'person',
            confidence: 0.95,
            bbox: [(i % 10) / 10, 0.1, (i % 10) / 10 + 0.05, 0.4],
          },
        ],
        new Date(now + i * 500).toISOString(),
      );
      await expect.poll(eventCount).toBe(i + 1);
    }
    await t!.app.alerts.idle();
    await expect
      .poll(() => deliveries().then((d) => d.filter((x) => x.status === 'sent').length), {
        timeout: 5000,
      })
      .toBe(10);
    const suppressed = (await deliveries()).filter((d) => d.status === 'suppressed');
    expect(suppressed).toHaveLength(90);
    expect(hook!.received).toHaveLength(10);
    // An hour later the window has room: the 90 go out as one digest.
    await t!.app.db
      .updateTable('deliveries')
      .set({ created_at: new Date(now - 2 * 3600_000).toISOString() })
      .where('status', '=', 'sent')
      .execute();
    await expect.poll(() => hook!.received.length, { timeout: 5000 }).toBe(11);
    const digest = JSON.parse(hook!.received[10]!.body) as {
      type: string;
      digest: { count: number; text: string };
    };
    expect(digest.type).toBe('digest');
    expect(digest.digest.count).toBe(90);
    expect(digest.digest.text).toBe('90 more alerts from Front Door, Garden in the last hour');
  });

  it('desktop channel: pushed to connected windows', async () => {
    await setup();
    const pushes: PushMessage[] = [];
    t!.app.push.subscribe((m) => pushes.push(m));
    const desktop = await t!.call('notify.channels.create', {
      kind: 'desktop',
      name: 'This computer',
      config: {},
    });
    await t!.call('alertRules.create', {
      name: 'Desk',
      severity: 'critical',
      channelIds: [desktop.id],
      cooldownSeconds: 0,
    });
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect
      .poll(() => pushes.find((m) => m.type === 'notification.desktop')?.data, { timeout: 5000 })
      .toMatchObject({ title: 'CRITICAL: Front Door', severity: 'critical' });
    expect(await t!.call('notify.channels.test', { id: desktop.id })).toEqual({ ok: true });
  });
});
