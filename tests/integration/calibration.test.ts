import { afterEach, describe, expect, it } from 'vitest';
import { feedbackStep, moveThresholds } from '../../src-shared/calibration';
import { DEFAULT_THRESHOLDS, riskLevelFor } from '../../src-shared/domain';
import { FAST_BATCHES, detect } from '../helpers/events';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start() {
  t = await startTestApp({ settingsPatch: FAST_BATCHES });
  await t.call('cameras.create', { name: 'Yard' });
  return t;
}

/** One event on the yard camera from one snapshot taken at `at`. */
async function eventAt(at: string, objectClass = 'person', confidence = 0.7) {
  const before = (await t!.call('events.list', {})).items.length;
  await detect(t!.app, 'yard', [{ objectClass, confidence, bbox: [0.1, 0.1, 0.4, 0.9] }], at);
  await expect
    .poll(() => t!.call('events.list', {}).then((p) => p.items.length), { timeout: 5000 })
    .toBe(before + 1);
  return (await t!.call('events.list', {})).items.find((e) => e.startedAt === at)!;
}

describe('calibration channels', () => {
  it('reads, updates (partial thresholds checked merged), resets and gives the defaults', async () => {
    await start();
    const initial = await t!.call('calibration.get', {});
    expect(initial).toMatchObject({
      thresholds: DEFAULT_THRESHOLDS,
      classMultipliers: {},
      cameraSensitivity: {},
      night: null,
      decayFactor: 0.1,
      feedback: { correct: 0, falsePositive: 0, missedThreat: 0, severityWrong: 0 },
    });
    expect(await t!.call('calibration.defaults', {})).toMatchObject({
      thresholds: DEFAULT_THRESHOLDS,
      night: null,
    });

    const updated = await t!.call('calibration.update', {
      thresholds: { high: 70 },
      classMultipliers: { person: 1.5 },
      cameraSensitivity: { yard: 0.5 },
    });
    expect(updated).toMatchObject({
      thresholds: { medium: 30, high: 70, critical: 85 },
      classMultipliers: { person: 1.5 },
      cameraSensitivity: { yard: 0.5 },
    });

    // Merged with the stored thresholds, 33 is closer than 5 to medium 30: named, nothing saved.
    expect(await t!.raw('calibration.update', { thresholds: { high: 33 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['thresholds', 'high'] }] },
    });
    expect(
      await t!.raw('calibration.update', {
        night: {
          start: '22:00',
          end: '06:00',
          thresholds: { medium: 40, high: 42, critical: 90 },
        },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['night', 'thresholds', 'high'] }] },
    });
    expect(await t!.raw('calibration.update', { classMultipliers: { person: 3.5 } })).toMatchObject(
      { ok: false, error: { code: 'invalid_input' } },
    );
    expect((await t!.call('calibration.get', {})).thresholds.high).toBe(70);

    const reset = await t!.call('calibration.reset', {});
    expect(reset).toMatchObject({
      thresholds: DEFAULT_THRESHOLDS,
      classMultipliers: {},
      cameraSensitivity: {},
      night: null,
    });
  });
});

describe('feedback learning', () => {
  it('moves every threshold in the feedback transaction, counts it, and reset keeps the counts', async () => {
    await start();
    await t!.call('calibration.update', { decayFactor: 0.5 });
    const event = await eventAt('2026-11-29T12:00:00.000Z');
    const before = (await t!.call('calibration.get', {})).thresholds;

    await t!.call('events.feedback', { eventId: event.id, type: 'false_positive' });
    const after = await t!.call('calibration.get', {});
    expect(after.thresholds).toEqual(
      moveThresholds(before, feedbackStep('false_positive', event.riskScore, 0.5)),
    );
    expect(after.thresholds.medium).toBeGreaterThan(before.medium);
    expect(after.feedback).toEqual({
      correct: 0,
      falsePositive: 1,
      missedThreat: 0,
      severityWrong: 0,
    });

    // A second feedback on the same event is refused, and moves nothing.
    expect(
      await t!.raw('events.feedback', { eventId: event.id, type: 'missed_threat' }),
    ).toMatchObject({ error: { code: 'conflict' } });
    expect(await t!.call('calibration.get', {})).toMatchObject({
      thresholds: after.thresholds,
      feedback: after.feedback,
    });

    const other = await eventAt('2026-11-29T13:00:00.000Z', 'car', 0.6);
    await t!.call('events.feedback', { eventId: other.id, type: 'missed_threat' });
    const reset = await t!.call('calibration.reset', {});
    expect(reset.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(reset.feedback).toMatchObject({ falsePositive: 1, missedThreat: 1 });

    const stats = await t!.call('feedback.stats', {});
    expect(stats).toEqual({
      total: 2,
      byType: { correct: 0, false_positive: 1, missed_threat: 1, severity_wrong: 0 },
      byCamera: { yard: 2 },
      byClass: { person: 1, car: 1 },
    });
    expect((await t!.call('feedback.stats', { from: '2099-01-01T00:00:00Z' })).total).toBe(0);
    expect(await t!.raw('feedback.stats', { from: 'yesterday' })).toMatchObject({
      error: { code: 'invalid_input', issues: [{ path: ['from'] }] },
    });
  });
});

describe('night profile', () => {
  it('scores events inside its window with its thresholds and multipliers, and learns into it', async () => {
    await start();
    const night = {
      start: '22:00',
      end: '06:00',
      timezone: 'UTC',
      thresholds: { medium: 5, high: 10, critical: 15 },
      classMultipliers: { person: 2 },
    };
    await t!.call('calibration.update', { night, decayFactor: 0.5 });
    const dark = await eventAt('2026-11-29T23:30:00.000Z');
    const light = await eventAt('2026-11-29T12:00:00.000Z');
    expect(dark.riskScore).toBeGreaterThan(light.riskScore); // person ×2 at night
    expect(dark.riskLevel).toBe(riskLevelFor(dark.riskScore, night.thresholds));
    expect(light.riskLevel).toBe(riskLevelFor(light.riskScore, DEFAULT_THRESHOLDS));
    expect(dark.riskLevel).toBe('critical');
    expect(light.riskLevel).not.toBe('critical');

    await t!.call('events.feedback', { eventId: dark.id, type: 'false_positive' });
    const after = await t!.call('calibration.get', {});
    expect(after.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(after.night?.thresholds).toEqual(
      moveThresholds(night.thresholds, feedbackStep('false_positive', dark.riskScore, 0.5)),
    );
  });
});

describe('the same false positive at the same spot', () => {
  it('offers "ignore here" after three, class-scoped; detections inside are kept as suppressed and open no batch', async () => {
    // Batches close when the test says so (the clock only moves on request).
    let clock = Date.now();
    t = await startTestApp({ settingsPatch: FAST_BATCHES, batchClock: () => clock });
    await t.call('cameras.create', { name: 'Yard' });
    const spot: [number, number, number, number] = [0.12, 0.15, 0.38, 0.88];
    const open = () => t!.app.aggregator.openBatches().length;
    const closeBatches = async () => {
      clock += 10_000;
      await t!.app.aggregator.tick();
    };
    const base = Date.parse('2026-11-20T12:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const at = new Date(base + i * 3_600_000).toISOString();
      await detect(
        t.app,
        'yard',
        [{ objectClass: 'person', confidence: 0.7, bbox: [0.1, 0.1, 0.4, 0.9] }],
        at,
      );
      await closeBatches();
      await t.app.events.idle();
      ids.push((await t.call('events.list', {})).items.find((e) => e.startedAt === at)!.id);
    }
    const [a, b, c] = ids as [string, string, string];
    await t.call('events.feedback', { eventId: a, type: 'false_positive' });
    await t.call('events.feedback', { eventId: b, type: 'false_positive' });
    expect(await t.call('events.ignoreOffer', { id: c })).toBeNull();

    await t.call('events.feedback', { eventId: c, type: 'false_positive' });
    const offer = (await t.call('events.ignoreOffer', { id: c }))!;
    // The boxes ([0.1, 0.1, 0.4, 0.9]) with a 0.02 margin.
    expect(offer).toEqual({
      cameraId: 'yard',
      objectClass: 'person',
      points: [
        [0.08, 0.08],
        [0.42, 0.08],
        [0.42, 0.92],
        [0.08, 0.92],
      ],
      eventIds: expect.arrayContaining([a, b, c]) as string[],
    });

    const zone = await t.call('zones.create', {
      cameraId: 'yard',
      name: 'Ignore person here',
      kind: 'ignore',
      points: offer.points,
      objectClasses: ['person'],
    });
    expect(await t.call('zones.list', { cameraId: 'yard' })).toEqual([
      expect.objectContaining({ id: zone.id, kind: 'ignore', objectClasses: ['person'] }),
    ]);
    // Covered now: nothing more to offer.
    expect(await t.call('events.ignoreOffer', { id: c })).toBeNull();

    // A person there is stored, marked suppressed, and opens no batch ...
    const [ignored] = await detect(t.app, 'yard', [
      { objectClass: 'person', confidence: 0.8, bbox: spot },
    ]);
    expect(open()).toBe(0);
    const stored = await t.call('detections.list', { cameraId: 'yard', limit: 10 });
    expect(stored.items.find((d) => d.id === ignored!.id)).toMatchObject({ suppressed: true });
    // ... a car at the same spot still does (the region is for people only) ...
    await detect(t.app, 'yard', [{ objectClass: 'car', confidence: 0.8, bbox: spot }]);
    expect(open()).toBe(1);
    await closeBatches();

    // ... and once the region is removed, people there count again.
    await t.call('zones.delete', { id: zone.id });
    const [counted] = await detect(t.app, 'yard', [
      { objectClass: 'person', confidence: 0.8, bbox: spot },
    ]);
    expect(open()).toBe(1);
    const again = await t.call('detections.list', { cameraId: 'yard', limit: 10 });
    expect(again.items.find((d) => d.id === counted!.id)).toMatchObject({ suppressed: false });
  });

  it('refuses an ignore zone with fewer than 3 points, naming the field', async () => {
    await start();
    expect(
      await t!.raw('zones.create', {
        cameraId: 'yard',
        name: 'x',
        kind: 'ignore',
        points: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_input',
        issues: [{ path: ['points'], message: 'An ignore zone needs at least 3 points' }],
      },
    });
  });
});
