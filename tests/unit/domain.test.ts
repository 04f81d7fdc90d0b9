import { describe, expect, it } from 'vitest';
import { cameraIdFromName, riskLevelFor } from '../../src-shared/domain';
import { defaultSettings, settingsPatchSchema, settingsSchema } from '../../src-shared/settings';
import { deepMerge } from '../../src-main/system/settings-service';
import { newId } from '../../src-main/common/ids';

describe('domain rules', () => {
  it('derives camera ids from names like the reference system', () => {
    expect(cameraIdFromName('Front Door')).toBe('front_door');
    expect(cameraIdFromName('  Garage #2 (east) ')).toBe('garage_2_east');
    expect(cameraIdFromName('Café Entrée')).toBe('cafe_entree');
    expect(cameraIdFromName('!!!')).toBe('');
  });

  it('bands risk scores: low < 30 ≤ medium < 60 ≤ high < 85 ≤ critical', () => {
    expect([0, 29, 30, 59, 60, 84, 85, 100].map((s) => riskLevelFor(s))).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
    expect(riskLevelFor(50, { medium: 20, high: 40, critical: 90 })).toBe('high');
  });

  it('creates ids that sort in creation order', () => {
    const ids = Array.from({ length: 200 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(200);
    expect(newId(1000) < newId(2000)).toBe(true);
  });
});

describe('settings schema', () => {
  it('has the documented defaults', () => {
    const s = defaultSettings();
    expect(s.ingest).toMatchObject({
      stabilitySeconds: 2,
      minBytes: 10240,
      dedupeWindowSeconds: 300,
    });
    expect(s.ingest.ftp).toEqual({ enabled: false, host: '127.0.0.1', port: 2121 });
    expect(s.detector.confidence).toBe(0.5);
    expect(s.batching).toMatchObject({ windowSeconds: 90, idleSeconds: 30, maxDetections: 500 });
    expect(s.batching.fastPath).toEqual({ classes: ['person'], minConfidence: 0.9 });
    expect(s.llm.enabled).toBe(false);
    expect(s.retentionDays).toBe(30);
  });

  it('accepts deep partials, rejects unknown keys and wrong types', () => {
    expect(settingsPatchSchema.safeParse({ batching: { windowSeconds: 0.2 } }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ batching: { fastPath: {} } }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ batching: { nope: 1 } }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ detector: { confidence: 2 } }).success).toBe(false);
  });

  it('merges objects key by key and replaces arrays', () => {
    const merged = deepMerge(defaultSettings(), {
      detector: { classes: ['person'] },
      ingest: { ftp: { enabled: true } },
    });
    const s = settingsSchema.parse(merged);
    expect(s.detector.classes).toEqual(['person']);
    expect(s.detector.confidence).toBe(0.5);
    expect(s.ingest.ftp).toEqual({ enabled: true, host: '127.0.0.1', port: 2121 });
  });
});
