import net from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelInput } from '../../src-shared/contract';
import type { Job, SecurityEvent } from '../../src-shared/domain';
import type { PromptVersion } from '../../src-shared/prompts';
import type { SettingsPatch } from '../../src-shared/settings';
import type { AppConfig } from '../../src-main/app/config';
import { pickVariant } from '../../src-main/prompts/prompt-stats';
import { FAST_BATCHES, detect } from '../helpers/events';
import type { FakeLlm } from '../helpers/llm-server';
import { startFakeLlm, structuredAnswer } from '../helpers/llm-server';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp | undefined;
let llm: FakeLlm | undefined;
afterEach(async () => {
  await t?.close();
  await llm?.close();
  t = undefined;
  llm = undefined;
});

const TEMPLATE = 'prompt-risk';
const V1 = 'prompt-risk-v1';
const V2 = 'prompt-risk-v2';

async function start(llmOn = true, config: Partial<AppConfig> = {}): Promise<TestApp> {
  llm ??= await startFakeLlm('good');
  const settings: SettingsPatch = {
    ...FAST_BATCHES,
    llm: { enabled: llmOn, baseUrl: llm.url, model: 'nemotron-mini', timeoutMs: 2000 },
  };
  t = await startTestApp({
    settingsPatch: settings,
    rescoreIntervalMs: 60_000,
    ...config,
  });
  if (!config.dataDir) await t.call('cameras.create', { name: 'Front Door' });
  // Feedback leaves the thresholds where they are (30 / 60 / 85) in these tests.
  await t.call('calibration.update', { decayFactor: 0 });
  return t;
}

const events = async () => (await t!.call('events.list', {})).items;

/** One batch on the camera, far enough from the last that it is an event of its own. */
let clock = Date.parse('2026-11-28T12:00:00.000Z');
async function oneEvent(imagePath?: string): Promise<SecurityEvent> {
  const before = (await events()).length;
  clock += 600_000;
  await detect(
    t!.app,
    'front_door',
    [{ objectClass: 'person', confidence: 0.95, bbox: [0.3, 0.2, 0.5, 0.9] }],
    new Date(clock).toISOString(),
    imagePath,
  );
  await expect.poll(() => events().then((e) => e.length), { timeout: 5000 }).toBe(before + 1);
  await t!.app.events.idle();
  return (await events())[0]!;
}

const raw = (channel: string, input: unknown) => t!.raw(channel, input);

function issueCodes(r: Awaited<ReturnType<typeof raw>>): string[] {
  if (r.ok) return [];
  return (r.error.issues ?? []).map((i) => `${i.code}:${i.path.join('.')}`);
}

describe('templates and variables', () => {
  it('refuses undeclared, unfilled and unknown variables when saving and when rendering, naming them', async () => {
    await start(false);
    const undeclared = await raw('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'Camera {{camera_name}} near {{house_notes}}',
      variables: ['camera_name'],
    });
    expect(undeclared).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(issueCodes(undeclared)).toEqual(['undeclared:variables.house_notes']);

    const unfilled = await raw('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'Camera {{camera_name}} near {{house_notes}}',
      variables: ['camera_name', 'house_notes'],
    });
    expect(issueCodes(unfilled)).toEqual(['no_value:variables.house_notes']);
    // Names of Object's own members are variables like any other (not "filled in" by them).
    const inherited = await raw('prompts.versions.create', {
      templateId: TEMPLATE,
      body: '{{constructor}}',
      variables: ['constructor'],
    });
    expect(issueCodes(inherited)).toEqual(['no_value:variables.constructor']);

    const unknownConstant = await raw('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'Camera {{camera_name}}',
      variables: ['camera_name'],
      constants: { pets: 'a dog' },
    });
    expect(issueCodes(unknownConstant)).toEqual(['unknown_constant:variables.pets']);

    const malformed = await raw('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'Camera {{ Camera Name }}',
      variables: [],
    });
    expect(issueCodes(malformed)).toEqual(['invalid_name:variables.Camera Name']);

    const v3 = await t!.call('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'Camera {{camera_name}}. House: {{house_notes}}',
      variables: ['camera_name', 'house_notes'],
      constants: { house_notes: 'We have a dog' },
      changeDescription: 'Tell the model about the dog',
    });
    expect(v3).toMatchObject({ number: 3, active: false, createdBy: 'user' });

    // Rendering: constants fill themselves in; every other declared variable must be given.
    const missing = await raw('prompts.render', { versionId: v3.id, variables: {} });
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(issueCodes(missing)).toEqual(['missing_variable:variables.camera_name']);
    const unknown = await raw('prompts.render', {
      versionId: v3.id,
      variables: { camera_name: 'Porch', weather: 'rain' },
    });
    expect(issueCodes(unknown)).toEqual(['unknown_variable:variables.weather']);
    expect(
      await t!.call('prompts.render', { versionId: v3.id, variables: { camera_name: 'Porch' } }),
    ).toEqual({ text: 'Camera Porch. House: We have a dog' });
    // The template's active version (v2) when no version is named.
    const active = await raw('prompts.render', { templateId: TEMPLATE, variables: {} });
    expect(issueCodes(active)).toContain('missing_variable:variables.recent_activity');
  });

  it('keeps every version: create, activate, roll back (a new version), list with who and why', async () => {
    await start(false);
    const initial = await t!.call('prompts.versions.list', { templateId: TEMPLATE });
    expect(initial.map((v) => [v.number, v.active, v.createdBy])).toEqual([
      [2, true, 'system'],
      [1, false, 'system'],
    ]);
    const v3 = await t!.call('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'Only {{camera_name}}',
      variables: ['camera_name'],
      params: { temperature: 1.1, maxTokens: 300 },
      changeDescription: 'Shorter',
      activate: true,
    });
    expect(v3).toMatchObject({ number: 3, active: true });
    // Parameters it did not give are the active version's (v2: structured answers).
    expect(v3.params).toMatchObject({
      temperature: 1.1,
      maxTokens: 300,
      responseSchema: { kind: 'structured' },
    });
    const impossible = await raw('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'x',
      params: {
        responseSchema: {
          kind: 'structured',
          limits: { observationsMin: 9, observationsMax: 4 },
        },
      },
    });
    expect(impossible).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(
      (
        await raw('prompts.versions.create', {
          templateId: TEMPLATE,
          body: 'x',
          params: { temperature: 3 },
        })
      ).ok,
    ).toBe(false);

    const rolled = await t!.call('prompts.rollback', { templateId: TEMPLATE });
    expect(rolled).toMatchObject({
      number: 4,
      active: true,
      createdBy: 'rollback',
      sourceVersionId: V2,
      changeDescription: 'Rollback to version 2',
    });
    const v2 = initial.find((v) => v.id === V2)!;
    expect(rolled.body).toBe(v2.body);
    const toV1 = await t!.call('prompts.rollback', { templateId: TEMPLATE, versionId: V1 });
    expect(toV1).toMatchObject({ number: 5, sourceVersionId: V1, active: true });

    const history = await t!.call('prompts.versions.list', { templateId: TEMPLATE });
    expect(history.map((v) => [v.number, v.active])).toEqual([
      [5, true],
      [4, false],
      [3, false],
      [2, false],
      [1, false],
    ]);
    // History is never rewritten: v3 is as it was saved.
    expect(history.find((v) => v.number === 3)).toEqual({ ...v3, active: false });
    const activated = await t!.call('prompts.versions.activate', { versionId: v3.id });
    expect(activated.active).toBe(true);
    expect((await t!.call('prompts.templates.get', { id: TEMPLATE })).versionCount).toBe(5);
    expect(await raw('prompts.versions.activate', { versionId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('exports everything, previews an import with diffs, and imports as new inactive versions', async () => {
    await start(false);
    const exported = await t!.call('prompts.export', {});
    expect(exported.templates.map((x) => x.name)).toEqual(['Risk analysis']);
    const risk = exported.templates[0]!;
    const active = risk.versions.find((v) => v.active)!;
    active.body = active.body.replace('Most activity is not a threat', 'Most activity is harmless');
    exported.templates.push({
      name: 'Night watch',
      description: 'Stricter at night',
      versions: [
        { ...active, number: 1, body: 'Night: {{camera_name}}', variables: ['camera_name'] },
      ],
    });
    const json = JSON.stringify(exported);

    const preview = await t!.call('prompts.import', { json, preview: true });
    expect(preview.applied).toBe(false);
    expect(preview.items.map((i) => [i.template, i.action])).toEqual([
      ['Risk analysis', 'new_version'],
      ['Night watch', 'new_template'],
    ]);
    expect(preview.items[0]!.diff).toMatch(/^-.*Most activity is not a threat/m);
    expect(preview.items[0]!.diff).toMatch(/^\+.*Most activity is harmless/m);
    expect(await t!.call('prompts.templates.list', {})).toHaveLength(1);

    const done = await t!.call('prompts.import', { json });
    expect(done.createdVersionIds).toHaveLength(2);
    const versions = await t!.call('prompts.versions.list', { templateId: TEMPLATE });
    expect(versions[0]).toMatchObject({ number: 3, active: false, createdBy: 'import' });
    expect(versions.find((v) => v.active)!.id).toBe(V2); // nothing activated, nothing overwritten
    const again = await t!.call('prompts.import', { json, preview: true });
    expect(again.items.map((i) => i.action)).toEqual(['unchanged', 'unchanged']);

    const twice = { ...exported, templates: [exported.templates[1]!, exported.templates[1]!] };
    expect(await raw('prompts.import', { json: JSON.stringify(twice) })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/same name/) },
    });
    expect(await raw('prompts.import', { json: '{"format": "other"' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/not JSON/) },
    });
    expect(await raw('prompts.import', { json: '{"format": "other"}' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/Not a prompts export/) },
    });
  });
});

/** A candidate version (its prompt starts with CANDIDATE) shadowing the active one. */
async function shadowCandidate(
  rollback?: ChannelInput<'prompts.experiment.set'>['rollback'],
): Promise<PromptVersion> {
  const candidate = await t!.call('prompts.versions.create', {
    templateId: TEMPLATE,
    body: 'CANDIDATE {{camera_name}} {{detections}}',
    variables: ['camera_name', 'detections'],
  });
  await t!.call('prompts.experiment.set', {
    templateId: TEMPLATE,
    mode: 'shadow',
    variants: [
      { versionId: V2, weight: 1 },
      { versionId: candidate.id, weight: 1 },
    ],
    rollback,
  });
  return candidate;
}

describe('experiments', () => {
  it('split assignment follows the batch id and the weights', () => {
    const variants = [
      { versionId: 'a', weight: 3 },
      { versionId: 'b', weight: 1 },
      { versionId: 'c', weight: 0 },
    ];
    const ids = Array.from({ length: 1000 }, (_, i) => `batch-${i}`);
    const picks = ids.map((id) => pickVariant(id, variants));
    expect(ids.map((id) => pickVariant(id, variants))).toEqual(picks); // reproducible
    const share = picks.filter((p) => p === 'a').length / 1000;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
    expect(picks).not.toContain('c');
  });

  it('split mode analyses each batch with the version its batch id picks, and records the run', async () => {
    await start();
    llm!.script = (req) =>
      req.prompt.includes('VARIANT B')
        ? { content: JSON.stringify(structuredAnswer(20)) }
        : undefined;
    const b = await t!.call('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'VARIANT B {{camera_name}} {{detections}}',
      variables: ['camera_name', 'detections'],
    });
    const variants = [
      { versionId: V2, weight: 1 },
      { versionId: b.id, weight: 1 },
    ];
    await t!.call('prompts.experiment.set', { templateId: TEMPLATE, mode: 'split', variants });
    const made: SecurityEvent[] = [];
    for (let i = 0; i < 6; i += 1) made.push(await oneEvent());
    for (const e of made) {
      expect(e.scorer).toBe('llm');
      expect(e.promptVersionId).toBe(pickVariant(e.batchId!, variants));
      expect(e.riskScore).toBe(e.promptVersionId === b.id ? 20 : 77);
    }
    const analytics = await t!.call('prompts.analytics', { templateId: TEMPLATE });
    const uses = Object.fromEntries(analytics.versions.map((v) => [v.versionId, v.uses]));
    // Six batch ids may all pick one version; a version never used is not listed.
    expect((uses[V2] ?? 0) + (uses[b.id] ?? 0)).toBe(6);
    expect(uses[b.id] ?? 0).toBe(made.filter((e) => e.promptVersionId === b.id).length);
  });

  it('shadow mode stores the candidate beside the active answer and leaves the event alone', async () => {
    await start();
    llm!.script = (req) =>
      req.prompt.includes('CANDIDATE')
        ? { content: JSON.stringify(structuredAnswer(30)) }
        : undefined;
    const candidate = await shadowCandidate();
    const event = await oneEvent();
    await t!.app.experiments.idle();
    expect(llm!.requests.map((r) => r.prompt.startsWith('CANDIDATE'))).toEqual([false, true]);
    const after = await t!.call('events.get', { id: event.id });
    expect(after).toMatchObject({
      riskScore: 77,
      promptVersionId: V2,
      version: event.version,
      summary: event.summary,
    });
    const analytics = await t!.call('prompts.analytics', { templateId: TEMPLATE });
    expect(analytics.shadow).toEqual([
      {
        candidateVersionId: candidate.id,
        activeVersionId: V2,
        pairs: 1,
        meanDiff: -47,
        distribution: [1, 0, 0, 0, 0],
      },
    ]);
    expect(analytics.versions.find((v) => v.versionId === candidate.id)!.byKind).toEqual({
      shadow: 1,
    });
  });

  for (const [reason, candidate] of [
    ['parse_failures', 'answers without JSON'],
    ['latency', 'is slow'],
    ['latency', 'never answers'],
  ] as const) {
    it(`rolls back a shadow candidate that ${candidate} and counts it in /metrics`, async () => {
      await start();
      await t!.call('system.settings.update', { llm: { timeoutMs: 400 } });
      llm!.script = (req) => {
        if (!req.prompt.includes('CANDIDATE'))
          return { content: JSON.stringify(structuredAnswer(50)), delayMs: 5 };
        if (candidate === 'answers without JSON') return { content: 'no json here' };
        return {
          content: JSON.stringify(structuredAnswer(50)),
          delayMs: candidate === 'is slow' ? 250 : 1000,
        };
      };
      const version = await shadowCandidate({
        minRuns: 3,
        parseFailureMargin: 0.2,
        latencyMargin: 1,
      });
      const rolledBack = new Promise<string>((resolve) =>
        t!.app.bus.on('prompt.rolledBack', (r) => resolve(r.reason)),
      );
      for (let i = 0; i < 3; i += 1) {
        await oneEvent();
        await t!.app.experiments.idle();
      }
      expect(await rolledBack).toBe(reason);
      expect(await t!.call('prompts.experiment.get', { templateId: TEMPLATE })).toBeNull();
      const analytics = await t!.call('prompts.analytics', { templateId: TEMPLATE });
      expect(analytics.rollbacks).toEqual([
        expect.objectContaining({ versionId: version.id, reason }),
      ]);
      const metrics = await t!.app.metrics.registry.metrics();
      expect(metrics).toContain(`hsi_prompt_rollbacks_total{reason="${reason}"} 1`);
      // Live analysis never left the active version.
      expect((await events()).every((e) => e.promptVersionId === V2)).toBe(true);
    });
  }

  it('promotes a variant (it becomes active, the experiment ends)', async () => {
    await start(false);
    const b = await t!.call('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'B {{camera_name}}',
      variables: ['camera_name'],
    });
    expect(
      await raw('prompts.experiment.set', {
        templateId: TEMPLATE,
        variants: [
          { versionId: V1, weight: 1 },
          { versionId: b.id, weight: 1 },
        ],
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/active version/) },
    });
    await t!.call('prompts.experiment.set', {
      templateId: TEMPLATE,
      variants: [
        { versionId: V2, weight: 1 },
        { versionId: b.id, weight: 1 },
      ],
    });
    expect(await t!.call('prompts.experiment.promote', { versionId: b.id })).toMatchObject({
      id: b.id,
      active: true,
    });
    expect(await t!.call('prompts.experiment.get', { templateId: TEMPLATE })).toBeNull();
  });
});

describe('analytics', () => {
  it('counts uses, parse failures, risk, tokens and agreement with feedback as computed by hand', async () => {
    await start();
    const answers = [
      JSON.stringify(structuredAnswer(20)),
      JSON.stringify(structuredAnswer(40)),
      JSON.stringify(structuredAnswer(60)),
      '{"risk_score": 50}',
    ];
    llm!.script = () => ({
      content: answers.shift()!,
      usage: { prompt_tokens: 100, completion_tokens: 10 },
    });
    const made: SecurityEvent[] = [];
    for (let i = 0; i < 4; i += 1) made.push(await oneEvent());
    expect(made.map((e) => [e.scorer, e.riskScore])).toEqual([
      ['llm', 20],
      ['llm', 40],
      ['llm', 60],
      ['rules', made[3]!.riskScore],
    ]);
    // 20 marked false positive: agrees (below medium 30). 40 missed threat: agrees.
    // 60 false positive: disagrees (a false positive scored high). The rules event is no run.
    await t!.call('events.feedback', { eventId: made[0]!.id, type: 'false_positive' });
    await t!.call('events.feedback', { eventId: made[1]!.id, type: 'missed_threat' });
    await t!.call('events.feedback', { eventId: made[2]!.id, type: 'false_positive' });
    await t!.call('events.feedback', { eventId: made[3]!.id, type: 'false_positive' });

    const { versions } = await t!.call('prompts.analytics', { templateId: TEMPLATE });
    const v2 = versions.find((v) => v.versionId === V2)!;
    expect(v2).toMatchObject({
      uses: 4,
      byKind: { live: 4 },
      parseFailures: 1,
      parseFailureRate: 0.25,
      meanRisk: 40,
      promptTokens: 400,
      completionTokens: 40,
      feedback: { rated: 3, agreed: 2, falsePositivesScoredHigh: 1, missedThreatsScoredLow: 0 },
      feedbackAgreement: 2 / 3,
    });
    expect(v2.riskStdDev).toBeCloseTo(Math.sqrt(800 / 3), 6);
    const latencies = (
      await t!.app.db
        .selectFrom('prompt_runs')
        .select('latency_ms')
        .where('version_id', '=', V2)
        .execute()
    ).map((r) => r.latency_ms);
    expect(v2.meanLatencyMs).toBeCloseTo(latencies.reduce((a, b) => a + b, 0) / 4, 6);
    expect(v2.p95LatencyMs).toBe(Math.max(...latencies)); // nearest rank of 4 runs
    expect(v2.daily).toEqual([{ day: expect.any(String), uses: 4, meanRisk: 40 }]);
    // A window that ends before the runs has none.
    const empty = await t!.call('prompts.analytics', {
      templateId: TEMPLATE,
      to: '2020-01-01T00:00:00.000Z',
    });
    expect(empty.versions.find((v) => v.versionId === V2)).toMatchObject({
      uses: 0,
      meanRisk: null,
    });
  });
});

describe('vision', () => {
  async function snapshot(): Promise<string> {
    const file = path.join(tempDir('hsi-snap-'), 'snap.jpg');
    await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#556677' } })
      .jpeg()
      .toFile(file);
    return file;
  }

  it('attaches the best snapshot downscaled; a model that refuses images marks the version text-only', async () => {
    await start();
    const v = await t!.call('prompts.versions.create', {
      templateId: TEMPLATE,
      body: 'Look at {{camera_name}}',
      variables: ['camera_name'],
      params: { vision: { enabled: true, maxImages: 2, maxSide: 512 } },
      activate: true,
    });
    await oneEvent(await snapshot());
    const [sent] = llm!.requests;
    expect(sent!.images).toHaveLength(1); // one snapshot in the batch
    const jpeg = Buffer.from(sent!.images[0]!.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
    expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 512, height: 384 });

    llm!.rejectImages = true;
    const event = await oneEvent(await snapshot());
    expect(event.scorer).toBe('llm'); // asked again without the image
    expect(llm!.requests.slice(1).map((r) => r.images.length)).toEqual([1, 0]);
    const marked = (await t!.call('prompts.versions.list', { templateId: TEMPLATE })).find(
      (x) => x.id === v.id,
    )!;
    expect(marked.textOnlyReason).toMatch(/does not accept images.*image input is not supported/);
    await oneEvent(await snapshot());
    expect(llm!.requests.at(-1)!.images).toEqual([]); // text-only from now on
  });
});

describe('playground and evaluation', () => {
  async function eventsWithFeedback(): Promise<SecurityEvent[]> {
    // Scored by the rules (LLM off); then the homeowner's feedback; then the LLM comes on.
    const made: SecurityEvent[] = [];
    for (let i = 0; i < 3; i += 1) made.push(await oneEvent());
    await t!.call('events.feedback', { eventId: made[0]!.id, type: 'false_positive' });
    await t!.call('events.feedback', { eventId: made[1]!.id, type: 'missed_threat' });
    await t!.call('events.feedback', { eventId: made[2]!.id, type: 'correct' });
    await t!.call('system.settings.update', { llm: { enabled: true } });
    return made;
  }

  it('runs a draft or a version on an event, shows the delta, and promotes only after 3 runs', async () => {
    await start(false);
    const [event] = await eventsWithFeedback();
    const draft = {
      templateId: TEMPLATE,
      body: 'Draft for {{camera_name}}: {{house_notes}}',
      variables: ['camera_name', 'house_notes'],
      constants: { house_notes: 'the dog sleeps outside' },
    };
    llm!.score = 12;
    const first = await t!.call('prompts.playground', { eventId: event!.id, draft });
    expect(first).toMatchObject({
      eventId: event!.id,
      stored: { score: event!.riskScore, scorer: 'rules' },
      result: { ok: true, score: 12, level: 'low', answer: { title: expect.any(String) } },
      delta: 12 - event!.riskScore,
      runs: 1,
      renderedPrompt: 'Draft for Front Door: the dog sleeps outside',
    });
    expect(first.result.raw).toContain('"risk_score":12');
    expect(first.result.promptTokens).toBe(321);
    expect(await raw('prompts.playground.promote', { draft })).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: expect.stringMatching(/at least 3 times before promoting it \(1 so far\)/),
      },
    });
    await t!.call('prompts.playground', { eventId: event!.id, draft });
    const third = await t!.call('prompts.playground', { eventId: event!.id, draft });
    expect(third.runs).toBe(3);
    // A different draft has its own count.
    const other = await t!.call('prompts.playground', {
      eventId: event!.id,
      draft: { ...draft, body: `${draft.body}!` },
    });
    expect(other.runs).toBe(1);
    const promoted = await t!.call('prompts.playground.promote', { draft });
    expect(promoted).toMatchObject({ active: true, createdBy: 'promotion', body: draft.body });
    // The event was never changed.
    expect(await t!.call('events.get', { id: event!.id })).toMatchObject({
      riskScore: event!.riskScore,
      version: event!.version,
      scorer: 'rules',
    });
    // A model failure is a result, not an error.
    llm!.mode = 'garbage';
    const failed = await t!.call('prompts.playground', { eventId: event!.id, versionId: V2 });
    expect(failed.result).toMatchObject({
      ok: false,
      score: null,
      error: expect.stringMatching(/JSON/),
    });
    expect(failed.delta).toBeNull();
  });

  it('evaluates a version on the events with feedback as a job and changes no event', async () => {
    await start(false);
    const made = await eventsWithFeedback();
    const before = await Promise.all(made.map((e) => t!.call('events.get', { id: e.id })));
    // Scores by event: the first (false positive) 10, the second (missed threat) 20, the third 70.
    const scores = new Map([
      [made[0]!.id, 10],
      [made[1]!.id, 20],
      [made[2]!.id, 70],
    ]);
    const startedAt = new Map(made.map((e) => [e.startedAt, scores.get(e.id)!]));
    llm!.script = (req) => {
      const at = [...startedAt.keys()].find((s) => req.prompt.includes(`Time window: ${s}`));
      return at ? { content: JSON.stringify(structuredAnswer(startedAt.get(at)!)) } : undefined;
    };
    const finished = new Promise<Job>((resolve) =>
      t!.app.bus.on('job.changed', (j) => j.status === 'completed' && resolve(j)),
    );
    const { jobId } = await t!.call('prompts.evaluate', { versionId: V2 });
    const job = await finished;
    expect(job).toMatchObject({ id: jobId, kind: 'prompt-evaluate', processed: 3, progress: 100 });
    const report = await t!.call('prompts.evaluation', { jobId });
    const stored = new Map(made.map((e) => [e.id, e.riskScore]));
    // 10 for a false positive agrees, 20 for a missed threat does not; 70 for a "correct"
    // event agrees when the stored score was on the same side of medium (30).
    const correctAgrees = stored.get(made[2]!.id)! >= 30;
    expect(report).toMatchObject({
      versionId: V2,
      evaluated: 3,
      parseFailures: 0,
      rated: 3,
      agreed: 1 + (correctAgrees ? 1 : 0),
    });
    expect(report.meanDelta).toBeCloseTo(
      (10 + 20 + 70 - [...stored.values()].reduce((a, b) => a + b, 0)) / 3,
      6,
    );
    expect(new Map(report.rows.map((r) => [r.eventId, r.newScore]))).toEqual(scores);
    const after = await Promise.all(made.map((e) => t!.call('events.get', { id: e.id })));
    expect(after).toEqual(before);
    expect(await raw('prompts.evaluation', { jobId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  for (const scoped of [false, true]) {
    it(`an evaluation ${scoped ? 'of a scope ' : ''}interrupted by a restart resumes where it stopped`, async () => {
      const dataDir = tempDir();
      await start(false, { dataDir });
      await t!.call('cameras.create', { name: 'Front Door' });
      await t!.call('calibration.update', { decayFactor: 0 });
      await eventsWithFeedback();
      let release!: () => void;
      llm!.gate = new Promise<void>((r) => (release = r));
      expect(llm!.requests).toHaveLength(0); // scored by the rules while the LLM was off
      const { jobId } = await t!.call('prompts.evaluate', {
        versionId: V2,
        ...(scoped && { scope: { cameraIds: ['front_door'] } }),
      });
      await expect.poll(() => llm!.requests.length).toBe(1);
      const app = t!.app;
      const closing = app.close(); // stops the job after the run in flight
      release();
      await closing;
      llm!.gate = null;
      const requestsBefore = llm!.requests.length;
      const restarted = await startTestApp({ dataDir, rescoreIntervalMs: 60_000 });
      t = restarted;
      await expect
        .poll(async () => (await restarted.call('jobs.get', { id: jobId })).status, {
          timeout: 5000,
        })
        .toBe('completed');
      const report = await restarted.call('prompts.evaluation', { jobId });
      expect(report.evaluated).toBe(3);
      // The event done before the restart was not asked again.
      expect(requestsBefore).toBe(1);
      expect(llm!.requests.length).toBe(3);
      expect(new Set(report.rows.map((r) => r.eventId)).size).toBe(3);
    });
  }
});

describe('evaluation control', () => {
  it('keeps the events the model failed on as dead letters, and evaluates them again when requeued', async () => {
    await start();
    for (let i = 0; i < 3; i += 1) {
      const e = await oneEvent();
      await t!.call('events.feedback', { eventId: e.id, type: 'correct' });
    }
    llm!.mode = 'garbage';
    const { jobId } = await t!.call('prompts.evaluate', { versionId: V2 });
    expect(await t!.app.jobs.finished(jobId)).toMatchObject({ status: 'completed' });
    const letters = (await t!.call('jobs.deadLetters.list', { jobId })).items;
    expect(letters).toHaveLength(3);
    for (const l of letters) {
      expect(l).toMatchObject({ kind: 'prompt-evaluate', attempts: 1, item: { versionId: V2 } });
      expect(l.error).toMatch(/JSON/);
    }
    const history = await t!.call('jobs.history', { id: jobId });
    expect(history.filter((h) => h.level === 'warn')).toHaveLength(3);

    // One again, with the model answering now: evaluated, and no longer a dead letter.
    llm!.mode = 'good';
    const one = await t!.call('jobs.deadLetters.requeue', { id: letters[0]!.id });
    expect(one.requeued).toBe(1);
    expect(await t!.app.jobs.finished(one.jobIds[0]!)).toMatchObject({
      status: 'completed',
      total: 1,
    });
    const evaluated = await t!.call('prompts.evaluation', { jobId: one.jobIds[0]! });
    expect(evaluated.rows.map((r) => r.eventId)).toEqual([letters[0]!.item.eventId]);
    expect((await t!.call('jobs.deadLetters.list', {})).items).toHaveLength(2);

    // The rest again, still failing: dead letters again, counted twice.
    llm!.mode = 'garbage';
    const rest = await t!.call('jobs.deadLetters.requeueAll', {});
    expect(rest.requeued).toBe(2);
    await t!.app.jobs.finished(rest.jobIds[0]!);
    const again = (await t!.call('jobs.deadLetters.list', {})).items;
    expect(again.map((l) => l.attempts)).toEqual([2, 2]);
    expect(again.every((l) => l.jobId === rest.jobIds[0])).toBe(true);

    // Jobs page newest first by the last id seen.
    const first = await t!.call('jobs.list', { kind: 'prompt-evaluate', limit: 2 });
    expect(first.map((j) => j.id)).toEqual([rest.jobIds[0], one.jobIds[0]]);
    const next = await t!.call('jobs.list', { kind: 'prompt-evaluate', cursor: first[1]!.id });
    expect(next.map((j) => j.id)).toEqual([jobId]);
  });

  it('a cancelled evaluation stops after the event in flight', async () => {
    await start();
    for (let i = 0; i < 3; i += 1) {
      const e = await oneEvent();
      await t!.call('events.feedback', { eventId: e.id, type: 'correct' });
    }
    let release!: () => void;
    llm!.gate = new Promise<void>((r) => (release = r));
    const asked = llm!.requests.length;
    const { jobId } = await t!.call('prompts.evaluate', { versionId: V1 });
    await expect.poll(() => llm!.requests.length).toBe(asked + 1);
    const cancelling = t!.call('jobs.cancel', { id: jobId });
    release();
    expect(await cancelling).toMatchObject({ status: 'cancelled', processed: 1 });
    expect(llm!.requests.length).toBe(asked + 1);
    expect((await t!.call('prompts.evaluation', { jobId })).evaluated).toBe(1);
  });

  it('evaluates a scope up to a limit; with no feedback yet it says what to do', async () => {
    await start();
    for (let i = 0; i < 3; i += 1) await oneEvent();
    expect(await raw('prompts.evaluate', { versionId: V2 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/No events have feedback/) },
    });
    const finished = new Promise<Job>((resolve) =>
      t!.app.bus.on('job.changed', (j) => j.status === 'completed' && resolve(j)),
    );
    const { jobId } = await t!.call('prompts.evaluate', {
      versionId: V1,
      scope: { cameraIds: ['front_door'] },
      limit: 2,
    });
    expect(await finished).toMatchObject({ total: 2, processed: 2 });
    const report = await t!.call('prompts.evaluation', { jobId });
    const newest = (await events()).slice(0, 2).map((e) => e.id);
    expect(report.rows.map((r) => r.eventId).sort()).toEqual(newest.sort());
    expect(report).toMatchObject({ evaluated: 2, rated: 0, agreementRate: null });
  });

  it('an event deleted while the model answers: the run is not kept, nothing fails', async () => {
    await start();
    const event = await oneEvent();
    let release!: () => void;
    llm!.gate = new Promise<void>((r) => (release = r));
    const asked = llm!.requests.length;
    const running = t!.call('prompts.playground', { eventId: event.id, versionId: V2 });
    await expect.poll(() => llm!.requests.length).toBe(asked + 1);
    await t!.call('cameras.delete', { id: 'front_door' });
    release();
    expect((await running).result).toMatchObject({ ok: true, score: 77 });
    const kept = await t!.app.db
      .selectFrom('prompt_runs')
      .select('kind')
      .where('kind', '=', 'playground')
      .execute();
    expect(kept).toEqual([]);
  });

  it('a server that refuses response_format is asked again without it', async () => {
    await start();
    llm!.script = (req) =>
      req.body.response_format
        ? { status: 400, error: 'response_format is not supported' }
        : undefined;
    const event = await oneEvent();
    expect(event.scorer).toBe('llm');
    expect(llm!.requests.map((r) => Boolean(r.body.response_format))).toEqual([true, false]);
  });
});

describe('LLM settings', () => {
  it('lists models (OpenAI or Ollama listing), finds loopback servers, and keeps the API key encrypted', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    llm = await startFakeLlm('good');
    const port = Number(new URL(llm.url).port);
    await start(true, {
      localLlmServers: [
        { name: 'Ollama', port },
        { name: 'vLLM', port: closed },
      ],
    });
    expect(await t!.call('llm.models', {})).toEqual({
      models: ['nemotron-mini', 'qwen2.5-vl'],
      source: '/v1/models',
    });
    llm.ollamaOnly = true;
    expect(await t!.call('llm.models', { baseUrl: llm.url })).toMatchObject({
      source: '/api/tags',
    });
    expect(await raw('llm.models', { baseUrl: `http://127.0.0.1:${closed}` })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(await t!.call('llm.detect', {})).toEqual([
      {
        name: 'Ollama',
        baseUrl: `http://127.0.0.1:${port}`,
        models: ['nemotron-mini', 'qwen2.5-vl'],
      },
    ]);

    const secret = 'sk-local-0123456789';
    const settings = await t!.call('system.settings.update', { llm: { apiKey: secret } });
    expect(settings.llm.apiKey).toBe('[REDACTED]');
    // The saved key goes to the saved server only: another address is asked without it.
    const other = await startFakeLlm('good');
    llm.listings.length = 0;
    await t!.call('llm.models', { apiKey: '[REDACTED]' });
    await t!.call('llm.models', { baseUrl: other.url, apiKey: '[REDACTED]' });
    expect(llm.listings).toEqual([`Bearer ${secret}`, `Bearer ${secret}`]); // /v1/models, /api/tags
    expect(other.listings).toEqual([undefined]);
    await other.close();
    const stored = await t!.app.db.selectFrom('settings').select('value').execute();
    expect(JSON.stringify(stored)).not.toContain(secret);
    await oneEvent();
    expect(llm.requests.at(-1)!.authorization).toBe(`Bearer ${secret}`);
    // Still readable after a restart (decrypted with the data folder's key).
    const dataDir = t!.app.dataDir;
    await t!.app.close();
    t = await startTestApp({ dataDir, rescoreIntervalMs: 60_000 });
    expect(t.app.settings.get().llm.apiKey).toBe(secret);

    // A key an older version stored in the clear is encrypted at the next start.
    const doc = JSON.parse(
      (
        await t.app.db
          .selectFrom('settings')
          .select('value')
          .where('key', '=', 'app')
          .executeTakeFirstOrThrow()
      ).value,
    ) as { llm: { apiKey: string } };
    doc.llm.apiKey = 'sk-plain-42';
    await t.app.db
      .updateTable('settings')
      .set({ value: JSON.stringify(doc) })
      .where('key', '=', 'app')
      .execute();
    await t.app.close();
    t = await startTestApp({ dataDir, rescoreIntervalMs: 60_000 });
    expect(t.app.settings.get().llm.apiKey).toBe('sk-plain-42');
    const resealed = await t.app.db.selectFrom('settings').select('value').execute();
    expect(JSON.stringify(resealed)).not.toContain('sk-plain-42');
  });

  it('tests a model with a one-word question: its reply and the time taken, or why not', async () => {
    llm = await startFakeLlm('good');
    await start(false);
    llm.script = () => ({ content: '<think>They want one word.</think> OK' });
    const result = await t!.call('llm.test', { model: 'qwen2.5-vl' });
    expect(result).toMatchObject({ model: 'qwen2.5-vl', reply: 'OK' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(llm.requests.at(-1)!.body).toMatchObject({ model: 'qwen2.5-vl', max_tokens: 16 });
    // The saved model by default; a failing server is a clear error, not a crash.
    llm.script = () => ({
      status: 404,
      error: 'model "nemotron-mini" not found, try pulling it first',
    });
    expect(await raw('llm.test', {})).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringContaining('not found, try pulling it') },
    });
    expect(llm.requests.at(-1)!.body.model).toBe('nemotron-mini');
    expect(await raw('llm.test', { baseUrl: 'file:///etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });
});
