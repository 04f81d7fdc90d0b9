import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

let t: TestApp;
const now = '2026-11-25T12:00:00.000Z';

async function seed() {
  const { db } = t.app;
  await t.call('cameras.create', { name: 'Front' });
  await t.call('cameras.create', { name: 'Back' });
  for (const cam of ['front', 'back']) {
    await t.call('zones.create', {
      cameraId: cam,
      name: 'z',
      kind: 'line',
      points: [
        [0, 0],
        [1, 1],
      ],
    });
    await db
      .insertInto('detections')
      .values({
        id: `d-${cam}`,
        camera_id: cam,
        image_path: `/img/${cam}.jpg`,
        detected_at: now,
        object_class: 'person',
        confidence: 0.9,
        x1: 0,
        y1: 0,
        x2: 0.5,
        y2: 0.5,
        created_at: now,
      })
      .execute();
    await db
      .insertInto('events')
      .values({
        id: `e-${cam}`,
        camera_id: cam,
        started_at: now,
        ended_at: now,
        risk_score: 70,
        risk_level: 'high',
        scorer: 'rules',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('event_detections')
      .values({ event_id: `e-${cam}`, detection_id: `d-${cam}`, created_at: now })
      .execute();
    await db
      .insertInto('event_feedback')
      .values({ id: `f-${cam}`, event_id: `e-${cam}`, type: 'correct', created_at: now })
      .execute();
  }
  await db
    .insertInto('alert_rules')
    .values({ id: 'r1', name: 'High risk', severity: 'high', created_at: now, updated_at: now })
    .execute();
  for (const cam of ['front', 'back']) {
    await db
      .insertInto('alerts')
      .values({
        id: `a-${cam}`,
        rule_id: 'r1',
        event_id: `e-${cam}`,
        severity: 'high',
        dedup_key: `${cam}:r1`,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
}

const count = async (
  table: 'zones' | 'detections' | 'events' | 'event_detections' | 'alerts' | 'event_feedback',
) => (await t.app.db.selectFrom(table).selectAll().execute()).length;

beforeEach(async () => {
  t = await startTestApp();
  await seed();
});
afterEach(() => t.close());

describe('cascades', () => {
  it('deleting a camera removes its zones, detections, events, links, alerts and feedback only', async () => {
    expect(await t.call('cameras.delete', { id: 'front' })).toEqual({
      deleted: { events: 1, detections: 1, zones: 1 },
    });
    expect(await count('zones')).toBe(1);
    expect(await count('detections')).toBe(1);
    expect(await count('events')).toBe(1);
    expect(await count('event_detections')).toBe(1);
    expect(await count('alerts')).toBe(1);
    expect(await count('event_feedback')).toBe(1);
    const left = await t.app.db.selectFrom('events').select('camera_id').execute();
    expect(left).toEqual([{ camera_id: 'back' }]);
  });

  it('deleting an event removes its alerts, feedback and links but keeps detections', async () => {
    await t.app.db.deleteFrom('events').where('id', '=', 'e-back').execute();
    expect(await count('alerts')).toBe(1);
    expect(await count('event_feedback')).toBe(1);
    expect(await count('event_detections')).toBe(1);
    expect(await count('detections')).toBe(2);
  });

  it('deleting a rule keeps its alerts with rule_id set to null', async () => {
    await t.app.db.deleteFrom('alert_rules').where('id', '=', 'r1').execute();
    const alerts = await t.app.db.selectFrom('alerts').select(['id', 'rule_id']).execute();
    expect(alerts).toHaveLength(2);
    expect(alerts.every((a) => a.rule_id === null)).toBe(true);
  });

  it('refuses rows that point at nothing', async () => {
    await expect(
      t.app.db
        .insertInto('zones')
        .values({
          id: 'z',
          camera_id: 'ghost',
          name: 'z',
          kind: 'line',
          points: '[]',
          created_at: now,
          updated_at: now,
        })
        .execute(),
    ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
  });
});
