import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src-shared/domain';
import { detect } from '../helpers/events';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start() {
  t = await startTestApp({
    settingsPatch: { batching: { idleSeconds: 0.1, windowSeconds: 5, stationary: { seconds: 0 } } },
  });
  await t.call('cameras.create', { name: 'Front Door' });
  await t.call('cameras.create', { name: 'Garden' });
  return t;
}

const eventCount = () => t!.call('events.stats', {}).then((s) => s.total);

describe('alert rules', () => {
  it('CRUD with validation; deleting a rule keeps its alerts', async () => {
    await start();
    const rule = await t!.call('alertRules.create', {
      name: 'People at night',
      severity: 'high',
      objectClasses: ['person'],
      schedule: {
        days: [0, 1, 2, 3, 4, 5, 6],
        start: '22:00',
        end: '06:00',
        timezone: 'Europe/Berlin',
      },
    });
    expect(rule).toMatchObject({
      enabled: true,
      cooldownSeconds: 300,
      dedupKeyTemplate: '{cameraId}:{ruleId}',
      channelIds: [],
    });
    expect(
      await t!.call('alertRules.update', { id: rule.id, enabled: false, minRiskScore: 40 }),
    ).toMatchObject({
      enabled: false,
      minRiskScore: 40,
      objectClasses: ['person'],
    });
    for (const bad of [
      { name: 'x', severity: 'extreme' },
      { name: 'x', severity: 'low', schedule: { days: [7], start: '22:00', end: '06:00' } },
      { name: 'x', severity: 'low', schedule: { days: [1], start: '25:00', end: '06:00' } },
      {
        name: 'x',
        severity: 'low',
        schedule: { days: [1], start: '22:00', end: '06:00', timezone: 'Mars/Olympus' },
      },
      { name: 'x', severity: 'low', dedupKeyTemplate: '{password}' },
    ]) {
      expect(await t!.raw('alertRules.create', bad), JSON.stringify(bad)).toMatchObject({
        error: { code: 'invalid_input' },
      });
    }
    expect(await t!.call('alertRules.list', {})).toHaveLength(1);
    expect(await t!.call('alertRules.delete', { id: rule.id })).toMatchObject({ id: rule.id });
    expect(await t!.raw('alertRules.delete', { id: rule.id })).toMatchObject({
      error: { code: 'not_found' },
    });
  });

  it('raises an alert for a matching event, once, then respects the cooldown', async () => {
    await start();
    const pushes: Alert[] = [];
    t!.app.push.subscribe((m) => m.type === 'alert.created' && pushes.push(m.data));
    const rule = await t!.call('alertRules.create', {
      name: 'People at the front',
      severity: 'critical',
      objectClasses: ['person'],
      cameraIds: ['front_door'],
      cooldownSeconds: 600,
    });
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await detect(t!.app, 'garden', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect.poll(eventCount).toBe(2);
    await t!.app.alerts.idle();
    const page = await t!.call('alerts.list', {});
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      ruleId: rule.id,
      ruleName: 'People at the front',
      cameraId: 'front_door',
      severity: 'critical',
      status: 'active',
      dedupKey: `front_door:${rule.id}`,
      matchedConditions: ['cameraIds', 'objectClasses'],
    });
    expect(pushes).toHaveLength(1);

    // Another event inside the cooldown: no second alert. A re-evaluation of the same event: none either.
    await detect(t!.app, 'front_door', [
      { objectClass: 'person', confidence: 0.95, bbox: [0.6, 0.1, 0.7, 0.5] },
    ]);
    await expect.poll(eventCount).toBe(3);
    await t!.app.alerts.idle();
    const [first] = (await t!.call('events.list', { cameraIds: ['front_door'] })).items.reverse();
    await t!.app.alerts.evaluate(first!);
    expect((await t!.call('alerts.list', {})).items).toHaveLength(1);

    // Past the cooldown (evaluated "later"): a new alert.
    const latest = (await t!.call('events.list', { cameraIds: ['front_door'], limit: 1 }))
      .items[0]!;
    const later = await t!.app.alerts.evaluate(latest, new Date(Date.now() + 601_000));
    expect(later).toHaveLength(1);
  });

  it('evaluation follows rule and preference changes made after it last ran', async () => {
    await start();
    const desktop = await t!.call('notify.channels.create', {
      kind: 'desktop',
      name: 'Here',
      config: {},
    });
    const rule = await t!.call('alertRules.create', {
      name: 'People',
      severity: 'high',
      objectClasses: ['person'],
      cooldownSeconds: 0,
      channelIds: [desktop.id],
    });
    let events = 0;
    /** A new event of a person at the front door, and the alerts it raised. */
    const personEvent = async () => {
      await detect(t!.app, 'front_door', [
        {
          objectClass: 'person',
          confidence: 0.95,
          bbox: [events / 10, 0.1, events / 10 + 0.05, 0.5],
        },
      ]);
      events += 1;
      await expect.poll(eventCount).toBe(events);
      await t!.app.alerts.idle();
      const [event] = (await t!.call('events.list', { limit: 1 })).items;
      return (await t!.call('alerts.list', {})).items.filter((a) => a.eventId === event!.id);
    };
    expect((await personEvent()).map((a) => a.ruleId)).toEqual([rule.id]);

    await t!.call('alertRules.update', { id: rule.id, enabled: false });
    expect(await personEvent()).toEqual([]);
    await t!.call('alertRules.update', { id: rule.id, enabled: true, objectClasses: ['car'] });
    expect(await personEvent()).toEqual([]);
    const other = await t!.call('alertRules.create', { name: 'Any', severity: 'low' });
    expect((await personEvent()).map((a) => a.ruleId)).toEqual([other.id]);
    await t!.call('alertRules.delete', { id: other.id });
    expect(await personEvent()).toEqual([]);
    expect((await t!.call('alertRules.list', {})).map((r) => r.name)).toEqual(['People']);

    // The preferences read by the evaluation follow their updates too.
    await t!.call('alertRules.update', { id: rule.id, objectClasses: ['person'] });
    const deliveryOf = async (alerts: Alert[]) =>
      (await t!.call('notify.deliveries.list', { alertId: alerts[0]!.id }))[0]!;
    await t!.call('notify.preferences.update', { mutedCameraIds: ['front_door'] });
    expect((await deliveryOf(await personEvent())).status).toBe('suppressed');
    await t!.call('notify.preferences.update', { mutedCameraIds: [] });
    expect((await deliveryOf(await personEvent())).status).not.toBe('suppressed');
  });

  it('cooldown holds under concurrent events', async () => {
    await start();
    await t!.call('alertRules.create', { name: 'Any', severity: 'low', cooldownSeconds: 300 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      await detect(t!.app, 'front_door', [
        { objectClass: 'person', confidence: 0.95, bbox: [i / 10, 0.1, i / 10 + 0.05, 0.4] },
      ]);
    }
    await expect.poll(eventCount).toBe(6);
    await t!.app.alerts.idle();
    const events = (await t!.call('events.list', {})).items;
    ids.push(...events.map((e) => e.id));
    // Evaluate all six at once as well: still one alert for the camera in the cooldown.
    await Promise.all(events.map((e) => t!.app.alerts.evaluate(e)));
    expect((await t!.call('alerts.list', {})).items).toHaveLength(1);
    expect(ids).toHaveLength(6);
  });

  it('acknowledge and dismiss, filter by status', async () => {
    await start();
    await t!.call('alertRules.create', { name: 'Any', severity: 'medium', cooldownSeconds: 0 });
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await detect(t!.app, 'garden', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect.poll(eventCount).toBe(2);
    await t!.app.alerts.idle();
    const [a, b] = (await t!.call('alerts.list', {})).items;
    expect(await t!.call('alerts.acknowledge', { id: a!.id })).toMatchObject({
      status: 'acknowledged',
    });
    expect(await t!.call('alerts.dismiss', { id: b!.id })).toMatchObject({ status: 'dismissed' });
    expect((await t!.call('alerts.list', { status: 'active' })).items).toHaveLength(0);
    expect((await t!.call('alerts.list', { status: 'dismissed' })).items.map((x) => x.id)).toEqual([
      b!.id,
    ]);
    expect(await t!.raw('alerts.acknowledge', { id: 'nope' })).toMatchObject({
      error: { code: 'not_found' },
    });
  });

  it('dry-runs a saved or unsaved rule over recent events without creating alerts', async () => {
    await start();
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await detect(t!.app, 'garden', [{ objectClass: 'car', confidence: 0.7 }]);
    await expect.poll(eventCount).toBe(2);
    const result = await t!.call('alertRules.test', {
      rule: { name: 'Cars', severity: 'low', objectClasses: ['car'] },
    });
    expect(result.matchRate).toBe(0.5);
    expect(result.results.find((r) => r.matches)?.matchedConditions).toEqual(['objectClasses']);
    expect(result.results.find((r) => !r.matches)?.failedConditions).toEqual(['objectClasses']);
    const saved = await t!.call('alertRules.create', {
      name: 'Front',
      severity: 'low',
      cameraIds: ['front_door'],
      enabled: false,
    });
    expect((await t!.call('alertRules.test', { rule: { id: saved.id } })).matchRate).toBe(0.5);
    expect((await t!.call('alerts.list', {})).items).toHaveLength(0);
    expect(await t!.raw('alertRules.test', { rule: { id: 'nope' } })).toMatchObject({
      error: { code: 'not_found' },
    });
  });
});
