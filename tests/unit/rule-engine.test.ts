import { describe, expect, it } from 'vitest';
import type { AlertRule, SecurityEvent, Zone } from '../../src-shared/domain';
import { dedupKey, detectionsInZone, evaluateRule } from '../../src-main/alerts/rule-engine';
import { inSchedule, localClock } from '../../src-shared/schedule';
import { draftRule } from '../../src-main/alerts/alert-repository';
import { securityEvent } from '../helpers/domain';

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  ...draftRule({ name: 'r', severity: 'high' }),
  id: 'r1',
  ...over,
});

const event = (over: Partial<SecurityEvent> = {}): SecurityEvent =>
  securityEvent({
    cameraId: 'front_door',
    cameraName: 'Front Door',
    startedAt: '2026-11-27T23:30:00.000Z', // a Friday, 23:30 UTC
    endedAt: '2026-11-27T23:31:00.000Z',
    riskScore: 72,
    rawRiskScore: 72,
    riskLevel: 'high',
    ...over,
  });

const det = (
  objectClass: string,
  confidence: number,
  bbox: [number, number, number, number],
  at = '2026-11-27T23:30:00.000Z',
) => ({
  objectClass,
  confidence,
  bbox,
  detectedAt: at,
});

const porch: Zone = {
  id: 'z-porch',
  cameraId: 'front_door',
  name: 'Porch',
  kind: 'polygon',
  objectClasses: null,
  points: [
    [0, 0.5],
    [0.5, 0.5],
    [0.5, 1],
    [0, 1],
  ],
  riskWeight: 1,
  color: '#fff',
  enabled: true,
  createdAt: '',
  updatedAt: '',
};
const gate: Zone = {
  ...porch,
  id: 'z-gate',
  name: 'Gate',
  kind: 'line',
  points: [
    [0.5, 0],
    [0.5, 1],
  ],
};

describe('rule engine', () => {
  it('ANDs every condition and names the ones that matched or failed', () => {
    const ctx = {
      event: event(),
      detections: [det('person', 0.9, [0.1, 0.4, 0.3, 0.8])],
      zones: [porch, gate],
    };
    const r = rule({
      minRiskScore: 60,
      riskLevels: ['high', 'critical'],
      cameraIds: ['front_door'],
      objectClasses: ['person'],
      minConfidence: 0.8,
      zoneIds: ['z-porch'],
    });
    expect(evaluateRule(r, ctx)).toEqual({
      matches: true,
      matchedConditions: [
        'minRiskScore',
        'riskLevels',
        'cameraIds',
        'objectClasses',
        'minConfidence',
        'zoneIds',
      ],
      failedConditions: [],
    });
    expect(evaluateRule({ ...r, minConfidence: 0.95 }, ctx)).toMatchObject({
      matches: false,
      failedConditions: ['minConfidence'],
    });
    expect(evaluateRule({ ...r, cameraIds: ['back'] }, ctx).matches).toBe(false);
    expect(evaluateRule({ ...r, objectClasses: ['car'] }, ctx).matches).toBe(false);
    expect(evaluateRule({ ...r, enabled: false }, ctx).matches).toBe(false);
    expect(evaluateRule(rule(), ctx).matches).toBe(true); // no conditions: every event
  });

  it('enforces zones by foot point, and line zones by crossing', () => {
    const outside = [det('person', 0.9, [0.6, 0.1, 0.7, 0.4])];
    expect(detectionsInZone(outside, porch)).toBe(false);
    expect(detectionsInZone([det('person', 0.9, [0.1, 0.3, 0.2, 0.7])], porch)).toBe(true);
    const walking = [
      det('person', 0.9, [0.2, 0.3, 0.3, 0.7], '2026-11-27T23:30:00Z'),
      det('person', 0.9, [0.7, 0.3, 0.8, 0.7], '2026-11-27T23:30:05Z'),
    ];
    expect(detectionsInZone(walking, gate)).toBe(true);
    expect(detectionsInZone(walking.slice(0, 1), gate)).toBe(false);
    expect(detectionsInZone(walking, { ...gate, enabled: false })).toBe(false);
  });

  it('schedules by local time in a time zone, spanning midnight', () => {
    expect(localClock('2026-11-27T23:30:00.000Z', 'UTC')).toEqual({
      day: 5,
      minutes: 23 * 60 + 30,
    });
    expect(localClock('2026-11-27T23:30:00.000Z', 'Asia/Tokyo')).toEqual({
      day: 6,
      minutes: 8 * 60 + 30,
    });
    const nights = { days: [5], start: '22:00', end: '06:00', timezone: 'UTC' }; // Friday night
    expect(inSchedule('2026-11-27T23:30:00.000Z', nights)).toBe(true); // Fri 23:30
    expect(inSchedule('2026-11-28T03:00:00.000Z', nights)).toBe(true); // Sat 03:00 belongs to Friday's night
    expect(inSchedule('2026-11-28T07:00:00.000Z', nights)).toBe(false);
    expect(inSchedule('2026-11-28T23:30:00.000Z', nights)).toBe(false); // Saturday night is not listed
    const office = {
      days: [1, 2, 3, 4, 5],
      start: '09:00',
      end: '17:00',
      timezone: 'America/New_York',
    };
    expect(inSchedule('2026-11-27T15:00:00.000Z', office)).toBe(true); // Fri 10:00 in New York
    expect(inSchedule('2026-11-27T23:00:00.000Z', office)).toBe(false); // Fri 18:00 in New York
  });

  it('builds dedup keys from the template', () => {
    expect(dedupKey(rule(), event())).toBe('front_door:r1');
    expect(dedupKey(rule({ dedupKeyTemplate: '{severity}/{objectClass}' }), event())).toBe(
      'high/person',
    );
  });
});
