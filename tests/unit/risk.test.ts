import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Zone } from '../../src-shared/domain';
import { DEFAULT_THRESHOLDS } from '../../src-shared/domain';
import type { BreakerSnapshot } from '../../src-main/risk/circuit-breaker';
import { CircuitBreaker, CircuitOpenError } from '../../src-main/risk/circuit-breaker';
import {
  chatUrl,
  extractJsonObject,
  parseAnswer,
  responseJsonSchema,
  stripThinking,
} from '../../src-main/prompts/llm-client';
import { DEFAULT_RESPONSE_LIMITS } from '../../src-shared/prompts';
import type { BatchContext, ScoredDetection } from '../../src-main/risk/risk-scorer';
import { pointInPolygon } from '../../src-shared/geometry';
import { RulesScorer, countFactor, timeOfDayFactor } from '../../src-main/risk/rules-scorer';

const det = (over: Partial<ScoredDetection> = {}): ScoredDetection => ({
  id: 'd1',
  objectClass: 'person',
  confidence: 1,
  bbox: [0.4, 0.2, 0.5, 0.8],
  detectedAt: '2026-11-25T14:00:00.000',
  stationary: false,
  ...over,
});

const zone = (over: Partial<Zone> = {}): Zone => ({
  id: 'z1',
  cameraId: 'cam',
  name: 'Porch',
  kind: 'polygon',
  objectClasses: null,
  points: [
    [0.3, 0.5],
    [0.7, 0.5],
    [0.7, 1],
    [0.3, 1],
  ],
  riskWeight: 1.5,
  color: '#fff',
  enabled: true,
  createdAt: '',
  updatedAt: '',
  ...over,
});

function batch(over: Partial<BatchContext> = {}): BatchContext {
  return {
    batchId: 'b',
    cameraId: 'cam',
    cameraName: 'Front Door',
    startedAt: '2026-11-25T14:00:00.000', // local time: daytime
    endedAt: '2026-11-25T14:00:30.000',
    detections: [det()],
    zones: [],
    calibration: { classMultipliers: {}, cameraSensitivity: {}, thresholds: DEFAULT_THRESHOLDS },
    isFastPath: false,
    ...over,
  };
}

describe('rules scorer', () => {
  const rules = new RulesScorer();

  it('is the documented product: base × zone × confidence × time of day × count', async () => {
    expect((await rules.score(batch())).riskScore).toBe(55);
    const night = await rules.score(batch({ startedAt: '2026-11-25T23:30:00.000' }));
    expect(night.riskScore).toBe(Math.round(55 * 1.4));
    expect(night.summary).toBe('1 person at Front Door (night)');
    const inZone = await rules.score(batch({ zones: [zone()] }));
    expect(inZone.riskScore).toBe(Math.round(55 * 1.5));
    expect(inZone.summary).toContain('in Porch');
    expect(inZone.reasoning).toContain('Inside zone "Porch"');
    const two = await rules.score(
      batch({ detections: [det(), det({ id: 'd2', bbox: [0.1, 0.1, 0.2, 0.5] })] }),
    );
    expect(two.riskScore).toBe(Math.round(55 * 1.1));
    expect(two.summary).toContain('2 people');
    const unsure = await rules.score(batch({ detections: [det({ confidence: 0.5 })] }));
    expect(unsure.riskScore).toBe(28);
    expect(unsure.riskLevel).toBe('low');
  });

  it('applies calibration to the score, not to the raw score, and clamps to 100', async () => {
    const calibrated = await rules.score(
      batch({
        calibration: {
          classMultipliers: { person: 2 },
          cameraSensitivity: { cam: 1.5 },
          thresholds: DEFAULT_THRESHOLDS,
        },
      }),
    );
    expect(calibrated.rawRiskScore).toBe(55);
    expect(calibrated.riskScore).toBe(100);
    expect(calibrated.riskLevel).toBe('critical');
    expect(calibrated.reasoning).toMatch(/Camera sensitivity ×1.5/);
  });

  it('ignores stationary detections when something moves, and says so', async () => {
    const r = await rules.score(
      batch({
        detections: [
          det({ objectClass: 'car', stationary: true }),
          det({ id: 'd2', objectClass: 'dog' }),
        ],
      }),
    );
    expect(r.riskScore).toBe(12);
    expect(r.reasoning).toContain('1 stationary detection(s) ignored');
  });

  it('has sane factors', () => {
    expect(timeOfDayFactor('2026-11-25T03:00:00.000').label).toBe('night');
    expect(timeOfDayFactor('2026-11-25T19:00:00.000').label).toBe('dusk or dawn');
    expect(timeOfDayFactor('2026-11-25T12:00:00.000').factor).toBe(1);
    expect([1, 2, 6, 20].map(countFactor)).toEqual([1, 1.1, 1.5, 1.5]);
    const square: [number, number][] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    expect(pointInPolygon([0.5, 0.5], square)).toBe(true);
    expect(pointInPolygon([1.5, 0.5], square)).toBe(false);
  });
});

describe('LLM answer handling', () => {
  it('strips thinking and finds the JSON object', () => {
    expect(stripThinking('<think>hmm {"a":1}</think> {"b":2}')).toBe('{"b":2}');
    expect(stripThinking('reasoning without open tag</think>{"b":2}')).toBe('{"b":2}');
    expect(extractJsonObject('Sure! ```json\n{"a": "x}y", "b": {"c": 1}}\n```')).toBe(
      '{"a": "x}y", "b": {"c": 1}}',
    );
    expect(extractJsonObject('no json')).toBeUndefined();
    const basic = { kind: 'basic' } as const;
    const parsed = parseAnswer('{"risk_score": "42", "summary": "s", "reasoning": "r"}', basic);
    expect(parsed.riskScore).toBe(42);
    expect(parsed.riskLevel).toBeNull();
    expect(() => parseAnswer('{"risk_score": 10}', basic)).toThrow(/schema/);
    expect(() => parseAnswer('{"risk_score": 10,}', basic)).toThrow(/malformed/);
    expect(chatUrl('http://h:8080/')).toBe('http://h:8080/v1/chat/completions');
    expect(chatUrl('http://h:8080/v1')).toBe('http://h:8080/v1/chat/completions');
  });
});

describe('LLM answer schema', () => {
  it('asks for exactly the four fields, a whole score 0–100 and one of the levels', () => {
    expect(responseJsonSchema({ kind: 'basic' })).toEqual({
      type: 'object',
      properties: {
        risk_score: { type: 'integer', minimum: 0, maximum: 100 },
        risk_level: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
        summary: { type: 'string', minLength: 1, maxLength: 2000 },
        reasoning: { type: 'string', maxLength: 8000 },
      },
      required: ['risk_score', 'risk_level', 'summary', 'reasoning'],
      additionalProperties: false,
    });
  });

  it('the structured schema carries its limits, and answers outside them are parse failures', () => {
    const spec = { kind: 'structured', limits: DEFAULT_RESPONSE_LIMITS } as const;
    const schema = responseJsonSchema(spec) as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(schema.required).toEqual([
      'risk_score',
      'risk_level',
      'title',
      'summary',
      'observations',
      'reasoning',
      'confidence',
      'other_concerns',
    ]);
    expect(schema.properties.title).toMatchObject({ maxLength: 80 });
    expect(schema.properties.observations).toMatchObject({ minItems: 3, maxItems: 8 });
    expect(schema.properties.confidence).toMatchObject({ minimum: 0, maximum: 1 });
    const good = {
      risk_score: 64,
      risk_level: 'medium',
      title: 'Person at the door',
      summary: 'A person stood at the door.',
      observations: ['one person', 'at night', 'near the door'],
      reasoning: 'Lingering at an entry point.',
      confidence: 0.8,
      other_concerns: [],
    };
    const answer = parseAnswer(JSON.stringify(good), spec);
    expect(answer).toMatchObject({ riskScore: 64, title: 'Person at the door', confidence: 0.8 });
    expect(answer.observations).toHaveLength(3);
    const bad = (over: Record<string, unknown>) => () =>
      parseAnswer(JSON.stringify({ ...good, ...over }), spec);
    expect(bad({ risk_score: 101 })).toThrow(/risk_score/);
    expect(bad({ title: 'x'.repeat(81) })).toThrow(/title/);
    expect(bad({ observations: ['only one'] })).toThrow(/observations/);
    expect(bad({ confidence: 1.5 })).toThrow(/confidence/);
    expect(bad({ summary: undefined })).toThrow(/summary/);
  });
});

describe('circuit breaker', () => {
  afterEach(() => vi.useRealTimers());

  it('opens after the threshold, half-opens after the cooldown for one trial, then closes or re-opens', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const changes: BreakerSnapshot[] = [];
    const b = new CircuitBreaker('llm', 3, 1000, (s) => changes.push(s));
    let calls = 0;
    const fail = () => {
      calls += 1;
      return Promise.reject(new Error('down'));
    };
    const ok = () => {
      calls += 1;
      return Promise.resolve('up');
    };
    await expect(b.execute(fail)).rejects.toThrow('down');
    await expect(b.execute(fail)).rejects.toThrow('down');
    expect(b.state).toBe('closed');
    await expect(b.execute(fail)).rejects.toThrow('down');
    expect(b.state).toBe('open');
    expect(b.snapshot()).toMatchObject({ state: 'open', failures: 3 });
    // Open: refused without calling.
    await expect(b.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(3);

    // The cooldown passes: a trial is due, and listeners are told without polling.
    vi.advanceTimersByTime(1000);
    expect(b.state).toBe('half-open');
    expect(changes.at(-1)).toMatchObject({ state: 'half-open' });

    // One trial at a time: a second caller waits for the trial's outcome instead of calling.
    let release!: (v: string) => void;
    const trial = b.execute(() => {
      calls += 1;
      return new Promise<string>((r) => (release = r));
    });
    const waiting = b.execute(ok);
    await Promise.resolve();
    expect(calls).toBe(4);
    release('up');
    await expect(trial).resolves.toBe('up');
    await expect(waiting).resolves.toBe('up');
    expect(b.state).toBe('closed');
    expect(b.snapshot()).toEqual({
      name: 'llm',
      state: 'closed',
      failures: 0,
      openedAt: null,
      nextTrialAt: null,
    });

    // A failed trial opens it again for another cooldown.
    for (let i = 0; i < 3; i += 1) await expect(b.execute(fail)).rejects.toThrow('down');
    vi.advanceTimersByTime(1000);
    await expect(b.execute(fail)).rejects.toThrow('down');
    expect(b.state).toBe('open');
    b.close();
  });
});
