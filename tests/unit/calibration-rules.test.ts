import { describe, expect, it } from 'vitest';
import {
  calibratedScore,
  calibrationAt,
  calibrationResolver,
  feedbackLearning,
  feedbackStep,
  moveThresholds,
  storedComponents,
  thresholdIssues,
} from '../../src-shared/calibration';
import type { LabelledEvent } from '../../src-shared/calibration-suggest';
import { suggestFactors, suggestThresholds } from '../../src-shared/calibration-suggest';
import type { CalibrationSettings } from '../../src-shared/calibration';
import { calibrationUpdateSchema, nightProfileSchema } from '../../src-shared/contract';
import { calibrationFormFrom, calibrationFormSchema } from '../../src-renderer/calibration-form';

describe('the feedback learning rule (hand-computed)', () => {
  it('steps by 10 × decay, scaled by how confident the wrong score was', () => {
    // decay 0.1: base 1.
    expect(feedbackStep('correct', 90, 0.1)).toBe(0);
    expect(feedbackStep('false_positive', 80, 0.1)).toBe(1); // floor(1 × 1.6)
    expect(feedbackStep('false_positive', 100, 0.1)).toBe(2); // floor(1 × 2)
    expect(feedbackStep('missed_threat', 0, 0.1)).toBe(-2); // floor(1 × 100/50)
    expect(feedbackStep('missed_threat', 80, 0.1)).toBe(-1); // at least the base
    expect(feedbackStep('severity_wrong', 90, 0.1)).toBe(1); // half of 1, at least 1
    expect(feedbackStep('severity_wrong', 20, 0.1)).toBe(-1);
    // decay 0.5: base 5.
    expect(feedbackStep('false_positive', 90, 0.5)).toBe(9); // floor(5 × 1.8)
    expect(feedbackStep('false_positive', 30, 0.5)).toBe(5); // never below the base
    expect(feedbackStep('missed_threat', 10, 0.5)).toBe(-9); // floor(5 × 90/50)
    expect(feedbackStep('severity_wrong', 90, 0.5)).toBe(4); // floor(9 / 2)
    expect(feedbackStep('severity_wrong', 30, 0.5)).toBe(-3); // floor(floor(5 × 1.4) / 2)
    expect(feedbackStep('severity_wrong', 50, 0.5)).toBe(-2); // 50 is not above 50: lower
    // decay 0.05: base still 1; decay 0: nothing moves.
    expect(feedbackStep('false_positive', 60, 0.05)).toBe(1);
    expect(feedbackStep('false_positive', 100, 0)).toBe(0);
  });

  it('moves all thresholds together, keeping order, the gap of 5 and the bounds', () => {
    expect(moveThresholds({ medium: 30, high: 60, critical: 85 }, 9)).toEqual({
      medium: 39,
      high: 69,
      critical: 94,
    });
    expect(moveThresholds({ medium: 80, high: 90, critical: 98 }, 5)).toEqual({
      medium: 85,
      high: 95,
      critical: 100,
    });
    expect(moveThresholds({ medium: 89, high: 94, critical: 99 }, 5)).toEqual({
      medium: 90,
      high: 95,
      critical: 100,
    });
    expect(moveThresholds({ medium: 3, high: 8, critical: 13 }, -5)).toEqual({
      medium: 1,
      high: 6,
      critical: 11,
    });
    expect(moveThresholds({ medium: 30, high: 60, critical: 85 }, -40)).toEqual({
      medium: 1,
      high: 20,
      critical: 45,
    });
  });

  it('learns into the profile in effect at the event', () => {
    const c: CalibrationSettings = {
      thresholds: { medium: 30, high: 60, critical: 85 },
      classMultipliers: {},
      cameraSensitivity: {},
      night: {
        start: '22:00',
        end: '06:00',
        timezone: 'UTC',
        thresholds: { medium: 20, high: 40, critical: 70 },
        classMultipliers: {},
      },
      decayFactor: 0.5,
    };
    const night = feedbackLearning(
      { riskScore: 90, startedAt: '2026-11-29T23:30:00Z' },
      'false_positive',
    )(c);
    expect(night.thresholds).toEqual(c.thresholds);
    expect(night.night?.thresholds).toEqual({ medium: 29, high: 49, critical: 79 });
    const day = feedbackLearning(
      { riskScore: 10, startedAt: '2026-11-29T12:00:00Z' },
      'missed_threat',
    )(c);
    expect(day.thresholds).toEqual({ medium: 21, high: 51, critical: 76 });
    expect(day.night).toEqual(c.night);
  });
});

describe('calibration values', () => {
  it('names the threshold that breaks the order or the gap', () => {
    expect(thresholdIssues({ medium: 30, high: 60, critical: 85 })).toEqual([]);
    expect(thresholdIssues({ medium: 30, high: 34, critical: 85 }).map((i) => i.path)).toEqual([
      ['high'],
    ]);
    expect(thresholdIssues({ medium: 30, high: 60, critical: 50 }).map((i) => i.path)).toEqual([
      ['critical'],
    ]);
    const night = nightProfileSchema.safeParse({
      start: '22:00',
      end: '6:00',
      timezone: 'Mars/Olympus',
      thresholds: { medium: 10, high: 12, critical: 90 },
      classMultipliers: { person: 4 },
    });
    expect(night.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'classMultipliers.person',
      'end',
      'thresholds.high',
      'timezone',
    ]);
    expect(calibrationUpdateSchema.safeParse({ cameraSensitivity: { yard: -1 } }).success).toBe(
      false,
    );
    expect(calibrationUpdateSchema.safeParse({ thresholds: { medium: 0 } }).success).toBe(false);
  });

  it('applies the night profile inside its window, in its time zone, across midnight', () => {
    const c: CalibrationSettings = {
      thresholds: { medium: 30, high: 60, critical: 85 },
      classMultipliers: { person: 1.2, car: 0.5 },
      cameraSensitivity: { yard: 2 },
      night: {
        start: '22:00',
        end: '06:00',
        timezone: 'America/New_York',
        thresholds: { medium: 20, high: 40, critical: 70 },
        classMultipliers: { person: 2 },
      },
      decayFactor: 0.1,
    };
    // 03:30 UTC is 22:30 in New York (EST): night. 12:00 UTC is 07:00 there: day.
    expect(calibrationAt(c, '2026-11-29T03:30:00Z')).toEqual({
      thresholds: { medium: 20, high: 40, critical: 70 },
      classMultipliers: { person: 2, car: 0.5 },
      cameraSensitivity: { yard: 2 },
      night: true,
    });
    expect(calibrationAt(c, '2026-11-29T12:00:00Z')).toMatchObject({
      thresholds: c.thresholds,
      classMultipliers: c.classMultipliers,
      night: false,
    });
    expect(calibrationAt(c, '2026-11-29T10:59:00Z').night).toBe(true); // 05:59 there
    expect(calibrationAt({ ...c, night: null }, '2026-11-29T03:30:00Z').night).toBe(false);
  });
});

describe('the Calibration page form', () => {
  const saved = {
    thresholds: { medium: 30, high: 60, critical: 85 },
    classMultipliers: { person: 1.5 },
    cameraSensitivity: {},
    night: null,
    decayFactor: 0.1,
    feedback: { correct: 0, falsePositive: 0, missedThreat: 0, severityWrong: 0 },
    updatedAt: '',
  };

  it('turns the inputs into a full update, and says where an input is wrong', () => {
    const form = calibrationFormFrom(saved);
    expect(form.classMultipliers).toBe('person=1.5');
    expect(calibrationFormSchema.parse(form)).toEqual({
      thresholds: saved.thresholds,
      classMultipliers: { person: 1.5 },
      cameraSensitivity: {},
      decayFactor: 0.1,
      night: null,
    });
    const night = calibrationFormSchema.parse({
      ...form,
      cameraSensitivity: ' front_door = 2 ,yard=0.5',
      nightEnabled: true,
      night: { ...form.night, timezone: 'UTC', classMultipliers: 'person=2' },
    });
    expect(night).toMatchObject({
      cameraSensitivity: { front_door: 2, yard: 0.5 },
      night: { start: '22:00', end: '06:00', timezone: 'UTC', classMultipliers: { person: 2 } },
    });
    const bad = calibrationFormSchema.safeParse({
      ...form,
      thresholds: { medium: '30', high: '33', critical: '85' },
      classMultipliers: 'person, cat=0.5',
    });
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['thresholds.high', 'High must be at least 5 above medium (30)'],
      ['classMultipliers', 'Write name=factor, e.g. person=1.5 (not "person")'],
    ]);
    const blank = calibrationFormSchema.safeParse({
      ...form,
      thresholds: { ...form.thresholds, medium: '' },
    });
    expect(blank.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['thresholds.medium', 'Enter a number'],
    ]);
  });
});

const DAY: CalibrationSettings = {
  thresholds: { medium: 30, high: 60, critical: 85 },
  classMultipliers: {},
  cameraSensitivity: {},
  night: null,
  decayFactor: 0.1,
};

describe('the score formula and re-evaluation helpers', () => {
  it('takes the best class component × its multiplier, × camera sensitivity, clamped', () => {
    const c = { classMultipliers: { person: 1.5, cat: 0.5 }, cameraSensitivity: { yard: 0.8 } };
    // person 40 × 1.5 = 60 beats car 50 × 1; × 0.8 = 48.
    expect(calibratedScore({ person: 40, car: 50 }, c, 'yard')).toBe(48);
    expect(calibratedScore({ person: 40, car: 50 }, c, 'porch')).toBe(60);
    expect(calibratedScore({ person: 90 }, c, 'porch')).toBe(100);
    expect(calibratedScore({}, c, 'porch')).toBe(0);
    // Events stored before components were kept: the raw score for each class.
    expect(storedComponents(null, 42, ['cat', 'dog'])).toEqual({ cat: 42, dog: 42 });
    expect(storedComponents('{"person":12.5}', 99, ['person'])).toEqual({ person: 12.5 });
  });

  it('resolves the night profile per instant from a per-hour cache, as calibrationAt does', () => {
    const settings: CalibrationSettings = {
      ...DAY,
      night: {
        start: '22:30',
        end: '06:00',
        timezone: 'Asia/Kolkata', // UTC+05:30: the half hour must not be lost
        thresholds: { medium: 20, high: 50, critical: 80 },
        classMultipliers: {},
      },
    };
    const resolve = calibrationResolver(settings);
    const start = Date.parse('2026-03-07T12:00:00.000Z');
    for (let m = 0; m < 26 * 60; m += 7) {
      const at = new Date(start + m * 60_000).toISOString();
      expect(resolve(at).night, at).toBe(calibrationAt(settings, at).night);
    }
  });
});

describe('suggestions from labelled events', () => {
  const label = (riskScore: number, type: LabelledEvent['type'], cls = 'cat') => ({
    riskScore,
    type,
    cameraId: 'yard',
    objectClasses: [cls],
  });
  // Four false positives sit in medium (35–42); threats and confirmed events are right.
  const labelled: LabelledEvent[] = [
    label(35, 'false_positive'),
    label(38, 'false_positive'),
    label(40, 'false_positive'),
    label(42, 'false_positive'),
    label(55, 'missed_threat', 'person'),
    label(60, 'missed_threat', 'person'),
    label(70, 'correct', 'person'),
    label(80, 'correct', 'person'),
    label(10, 'correct', 'dog'),
  ];

  it('moves medium to the nearest threshold that separates the labels best, the others with it', () => {
    const s = suggestThresholds(labelled, DAY.thresholds)!;
    // 43 is the lowest medium with every false positive below it and every threat above.
    expect(s).toMatchObject({
      kind: 'thresholds',
      current: 30,
      suggested: 43,
      errorsBefore: 4,
      errorsAfter: 0,
      patch: { thresholds: { medium: 43, high: 73, critical: 98 } },
    });
    expect(suggestThresholds(labelled.slice(0, 2), DAY.thresholds)).toBeNull();
    // Already separated: nothing to suggest.
    expect(suggestThresholds(labelled.slice(4), DAY.thresholds)).toBeNull();
  });

  it('scales a class or camera whose labels sit on the wrong side, and only those', () => {
    const classes = suggestFactors(labelled, DAY, 'classMultiplier');
    // cat: ×0.70 brings 42 to 29 (below 30); ×0.75 would give 32.
    expect(classes).toEqual([
      expect.objectContaining({
        kind: 'classMultiplier',
        key: 'cat',
        current: 1,
        suggested: 0.7,
        errorsBefore: 4,
        errorsAfter: 0,
        patch: { classMultipliers: { cat: 0.7 } },
      }),
    ]);
    const cameras = suggestFactors(labelled, DAY, 'cameraSensitivity');
    expect(cameras).toEqual([
      expect.objectContaining({ key: 'yard', suggested: 0.7, errorsAfter: 0 }),
    ]);
    // Against a current factor: the suggestion is relative to it.
    const halved = suggestFactors(
      labelled,
      { ...DAY, classMultipliers: { cat: 2 } },
      'classMultiplier',
    );
    expect(halved[0]).toMatchObject({ key: 'cat', current: 2, suggested: 1.4 });
  });
});
