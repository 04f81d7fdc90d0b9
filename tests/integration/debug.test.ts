import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from '../../src-shared/contract';
import type { DebugRecording, LogEntry, StageStatus } from '../../src-shared/domain';
import { PIPELINE_STAGES } from '../../src-shared/domain';
import { detectionRepository } from '../../src-main/detections';
import { ingestRepository } from '../../src-main/ingest';
import { MAX_RECORDED_OUTPUT } from '../../src-main/debug';
import { capturingLogger } from '../helpers/logs';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const DEBUG_CHANNELS = CHANNEL_NAMES.filter((c) => c.startsWith('debug.'));

/** The newest recording of a channel. */
async function recorded(channel: string): Promise<DebugRecording> {
  let found: DebugRecording | undefined;
  await expect
    .poll(async () => {
      found = (await t!.call('debug.recordings.list', { channel, limit: 1 }))[0];
      return found !== undefined;
    })
    .toBe(true);
  return found!;
}

describe('debug channels', () => {
  it('every debug channel is an unknown channel while debug is off, and answers once it is on, without a restart', async () => {
    const { logger, lines } = capturingLogger();
    t = await startTestApp({ logger });
    for (const channel of DEBUG_CHANNELS) {
      expect(await t.raw(channel, {}), channel).toEqual({
        ok: false,
        error: { code: 'unknown_channel', message: `Unknown channel: ${channel}` },
      });
    }
    await t.call('system.settings.update', { debug: true });
    expect(lines.some((l) => l.msg === 'debug mode turned on' && l.level === 40)).toBe(true);
    for (const channel of DEBUG_CHANNELS) {
      const r = await t.raw(
        channel,
        channel === 'debug.recordings.get' || channel === 'debug.recordings.replay'
          ? { id: 'none' }
          : {},
      );
      expect(r.ok || (!r.ok && r.error.code === 'not_found'), channel).toBe(true);
    }
    expect(await t.call('debug.breakers', {})).toEqual([
      expect.objectContaining({ name: 'llm', state: 'closed', failures: 0 }),
    ]);
    expect(await t.call('debug.openBatches', {})).toEqual([]);
  });

  it('records calls with secrets redacted, cuts long outputs, and replays: read-only at once, with a diff after a change; a call that changes data only when confirmed', async () => {
    const { logger, lines } = capturingLogger();
    t = await startTestApp({ debug: true, logger });
    // A secret in the input never reaches the recording.
    await t.call('notify.channels.create', {
      kind: 'webhook',
      name: 'Hub',
      config: { url: 'http://127.0.0.1:9/hook', secret: 'sign-with-this-9f2c' },
    });
    const created = await recorded('notify.channels.create');
    expect(created).toMatchObject({
      ok: true,
      transport: 'internal',
      code: null,
      truncated: false,
    });
    expect(JSON.stringify(created)).not.toContain('sign-with-this-9f2c');
    expect(created.input).toMatchObject({ config: { secret: '[REDACTED]' } });
    // Its correlation id is the one in the call's log lines.
    expect(lines.some((l) => l.correlationId === created.correlationId)).toBe(true);
    // Replaying it would store "[REDACTED]" as the secret: refused, even when confirmed.
    expect(await t.raw('debug.recordings.replay', { id: created.id, confirm: true })).toMatchObject(
      { ok: false, error: { code: 'invalid_input', issues: [{ path: ['id'] }] } },
    );
    // The Debug page's own calls are not recorded.
    await t.call('debug.pipeline', {});
    expect(
      (await t.call('debug.recordings.list', {})).filter((r) => r.channel.startsWith('debug.')),
    ).toEqual([]);

    await t.call('cameras.create', { name: 'Shed' });
    await t.call('cameras.list', {});
    const list = await recorded('cameras.list');
    const same = await t.call('debug.recordings.replay', { id: list.id });
    expect(same).toMatchObject({ matches: true, diff: [] });
    // The replay is recorded too, naming the call it re-ran.
    const replayed = (
      await t.call('debug.recordings.list', { channel: 'cameras.list', limit: 1 })
    )[0]!;
    expect(replayed).toMatchObject({
      replayOf: list.correlationId,
      correlationId: same.correlationId,
    });

    await t.call('cameras.update', { id: 'shed', name: 'Garden shed' });
    const changed = await t.call('debug.recordings.replay', { id: list.id });
    expect(changed.matches).toBe(false);
    expect(changed.diff).toEqual([{ path: '0.name', before: 'Shed', after: 'Garden shed' }]);

    const create = await recorded('cameras.create');
    expect(await t.raw('debug.recordings.replay', { id: create.id })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['confirm'] }] },
    });
    const again = await t.call('debug.recordings.replay', { id: create.id, confirm: true });
    expect(again).toMatchObject({ matches: false, output: { code: 'conflict' } });

    // A long output is kept cut, and marked.
    for (const c of SEED_CAMERAS) await t.call('cameras.create', { name: c.name });
    seedEvents(t.dataDir, 600);
    await t.call('events.list', { limit: 500 });
    const long = await recorded('events.list');
    expect(long.truncated).toBe(true);
    expect(typeof long.output).toBe('string');
    expect((long.output as string).length).toBeLessThan(MAX_RECORDED_OUTPUT + 100);
    expect(long.output).toMatch(/\[truncated: \d+ characters in all\]$/);

    expect(await t.call('debug.recordings.clear', {})).toMatchObject({
      cleared: expect.any(Number) as number,
    });
    expect(await t.call('debug.recordings.list', {})).toEqual([]);
  });

  it('changes a module’s log level at run time; the logs table answers by level, module, correlation id and text', async () => {
    const { logger, lines } = capturingLogger();
    t = await startTestApp({ debug: true, logger });
    const calls = () => lines.filter((l) => l.module === 'router' && l.msg === 'call').length;
    await t.call('cameras.list', {});
    const before = calls();
    expect(before).toBeGreaterThan(0); // the router logs each call at debug
    const set = await t.call('debug.logLevel', { module: 'router', level: 'info' });
    expect(set).toMatchObject({ previous: 'debug', root: 'debug', modules: { router: 'info' } });
    await t.call('cameras.list', {});
    await t.call('cameras.list', {});
    expect(calls()).toBe(before); // quiet now, without a restart
    expect(lines.some((l) => l.msg === 'log level changed' && l.target === 'router')).toBe(true);
    await t.call('debug.logLevel', { level: 'warn' }); // the root: the other modules follow
    expect(await t.call('debug.logLevel', {})).toEqual({
      root: 'warn',
      modules: { router: 'info' },
    });
    await t.close();

    // The app's own logger: info and above land in the logs table.
    t = await startTestApp({ debug: true, logger: undefined, logStderr: false });
    // (Tests run with the root silent: the first call turns it up to info.)
    for (const [correlationId, input] of [
      ['corr-root', { level: 'info' }],
      ['corr-a', { module: 'events', level: 'debug' }],
      ['corr-b', { module: 'alerts', level: 'debug' }],
    ] as const) {
      const r = await t.app.router.invoke('debug.logLevel', input, {
        transport: 'internal',
        correlationId,
      });
      expect(r.ok).toBe(true);
    }
    let entries: LogEntry[] = [];
    await expect
      .poll(
        async () => {
          entries = (await t!.call('debug.logs', { q: 'LEVEL CHANGED' })).items;
          return entries.length;
        },
        { timeout: 5000 },
      )
      .toBe(3);
    expect(entries.map((e) => e.correlationId)).toEqual(['corr-b', 'corr-a', 'corr-root']); // newest first
    expect(entries[0]).toMatchObject({ level: 'info', message: 'log level changed' });
    expect((await t.call('debug.logs', { correlationId: 'corr-a' })).items).toHaveLength(1);
    expect((await t.call('debug.logs', { level: 'error' })).items).toEqual([]);
    const page = await t.call('debug.logs', { q: 'level changed', limit: 1 });
    expect(page.items[0]!.correlationId).toBe('corr-b');
    const next = await t.call('debug.logs', {
      q: 'level changed',
      limit: 1,
      cursor: page.nextCursor!,
    });
    expect(next.items.map((e) => e.correlationId)).toEqual(['corr-a']);
    expect(next.nextCursor).not.toBeNull();
    expect(await t.raw('debug.logs', { cursor: 'garbage' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('debug.pipeline: every stage with what waits, how old it is, and its newest errors', async () => {
    t = await startTestApp({ debug: true, logger: undefined, logStderr: false });
    await t.call('debug.logLevel', { level: 'info' }); // tests run silent
    await t.call('cameras.create', { name: 'Yard' });
    // One image waiting (intake is off in tests), queued a minute and a half ago.
    const images = ingestRepository(t.app.db, { detections: detectionRepository(t.app.db) });
    await images.enqueue({
      cameraId: 'yard',
      path: '/tmp/yard-1.jpg',
      size: 2000,
      mtimeMs: 0,
      source: 'import',
      enqueuedAt: new Date(Date.now() - 90_000).toISOString(),
      correlationId: 'corr-img',
    });
    t.app.logger.child({ module: 'outbox' }).error({ correlationId: 'corr-out' }, 'hub refused');
    let stages: StageStatus[] = [];
    await expect
      .poll(
        async () => {
          stages = await t!.call('debug.pipeline', {});
          return stages.find((s) => s.stage === 'outbox')?.lastErrors.length;
        },
        { timeout: 5000 },
      )
      .toBe(1);
    expect(stages.map((s) => s.stage)).toEqual([...PIPELINE_STAGES]);
    const intake = stages.find((s) => s.stage === 'intake')!;
    expect(intake.queueDepth).toBe(1);
    expect(intake.oldestWaitingSeconds).toBeGreaterThanOrEqual(89);
    expect(stages.find((s) => s.stage === 'detect')).toMatchObject({ inFlight: 0, workers: 2 });
    expect(stages.find((s) => s.stage === 'outbox')!.lastErrors).toEqual([
      { at: expect.any(String) as string, message: 'hub refused', correlationId: 'corr-out' },
    ]);
    for (const s of stages.filter((x) => x.stage !== 'outbox')) expect(s.lastErrors).toEqual([]);
  });
});
