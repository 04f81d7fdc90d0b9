import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, READ_ONLY_CHANNELS } from '../../src-shared/contract';
import { AppError } from '../../src-shared/errors';
import type { CallRecord, Handlers } from '../../src-main/bridge/router';
import { createRouter } from '../../src-main/bridge/router';
import { createLogger } from '../../src-main/system/logger';

function handlers(overrides: Partial<Handlers>): Handlers {
  const base = Object.fromEntries(
    CHANNEL_NAMES.map((name) => [
      name,
      () => {
        throw new AppError('unavailable', `${name} is not part of this test`);
      },
    ]),
  );
  return { ...base, ...overrides } as Handlers;
}

function router(overrides: Partial<Handlers>, debug = false, calls: CallRecord[] = []) {
  return createRouter({
    handlers: handlers(overrides),
    logger: createLogger({ level: 'silent' }),
    debugEnabled: () => debug,
    onCall: (r) => calls.push(r),
  });
}

describe('router', () => {
  it('validates input with the channel schema before the handler runs', async () => {
    let ran = false;
    const r = router({
      'cameras.create': () => {
        ran = true;
        throw new Error('unreachable');
      },
    });
    const result = await r.invoke('cameras.create', { name: '', extra: 1 }, { transport: 'http' });
    expect(ran).toBe(false);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    const paths = result.error.issues?.map((i) => i.path.join('.'));
    expect(paths).toContain('name');
    expect(result.error.issues?.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('passes the parsed (trimmed) input to the handler', async () => {
    const r = router({
      'cameras.create': (input) => ({ id: 'x', name: input.name }) as never,
    });
    const result = await r.invoke('cameras.create', { name: '  Porch  ' }, { transport: 'ipc' });
    expect(result).toEqual({ ok: true, data: { id: 'x', name: 'Porch' } });
  });

  it('answers unknown_channel for names outside the contract', async () => {
    const result = await router({}).invoke('cameras.explode', {}, { transport: 'http' });
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
  });

  it('hides debug channels unless debug mode is on', async () => {
    const debugConfig = () => ({ secret: 'no' });
    const off = await router({ 'debug.config': debugConfig }).invoke(
      'debug.config',
      {},
      { transport: 'http' },
    );
    expect(off).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    const on = await router({ 'debug.config': debugConfig }, true).invoke(
      'debug.config',
      {},
      { transport: 'http' },
    );
    expect(on).toEqual({ ok: true, data: { secret: 'no' } });
    expect(router({}, false).available()).not.toContain('debug.config');
    expect(router({}, true).available()).toContain('debug.config');
  });

  it('maps AppError codes and keeps their issues', async () => {
    const r = router({
      'cameras.get': ({ id }) => {
        throw new AppError('not_found', `No camera with id "${id}"`);
      },
      'cameras.delete': () => {
        throw new AppError('conflict', 'busy', [{ path: ['id'], message: 'busy' }]);
      },
    });
    expect(await r.invoke('cameras.get', { id: 'nope' }, { transport: 'http' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'No camera with id "nope"' },
    });
    expect(await r.invoke('cameras.delete', { id: 'a' }, { transport: 'http' })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'busy', issues: [{ path: ['id'], message: 'busy' }] },
    });
  });

  it('maps a SQLite unique violation to conflict', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT UNIQUE)');
    const r = router({
      'cameras.list': () => {
        db.exec("INSERT INTO t VALUES ('a')");
        db.exec("INSERT INTO t VALUES ('a')");
        return [];
      },
    });
    expect(await r.invoke('cameras.list', {}, { transport: 'http' })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('turns unexpected errors into internal without a stack, naming the correlation id', async () => {
    const r = router({
      'cameras.list': () => {
        throw new TypeError('secret internals at /home/x/file.ts:12');
      },
    });
    const result = await r.invoke('cameras.list', {}, { transport: 'http', correlationId: 'c-42' });
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: 'Internal error (reference c-42)' },
    });
  });

  it('records every call with its duration and correlation id', async () => {
    const calls: CallRecord[] = [];
    const r = router({ 'cameras.list': () => [] }, false, calls);
    await r.invoke('cameras.list', {}, { transport: 'ipc' });
    await r.invoke('cameras.get', {}, { transport: 'ipc' });
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ channel: 'cameras.list', transport: 'ipc' });
    expect(calls[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(calls[0]!.correlationId).toMatch(/[0-9a-f-]{36}/);
    expect(calls[1]!.result.ok).toBe(false);
  });
});

describe('read-only channels', () => {
  it('every channel is classified: read-only (replayed without asking) or changing data', () => {
    const changing = CHANNEL_NAMES.filter((c) => !READ_ONLY_CHANNELS.has(c));
    // A new channel lands here until someone decides: safe to call again, or not.
    expect(changing.sort()).toEqual(
      [
        'alertRules.create',
        'alertRules.delete',
        'alertRules.update',
        'alerts.acknowledge',
        'alerts.dismiss',
        'calibration.reevaluate',
        'calibration.reset',
        'calibration.update',
        'cameras.create',
        'cameras.delete',
        'cameras.ftp.setPassword',
        'cameras.update',
        'debug.logLevel',
        'detector.download',
        'debug.recordings.clear',
        'debug.recordings.replay',
        'events.bulkUpdate',
        'events.feedback',
        'events.update',
        'exports.cancel',
        'exports.create',
        'exports.reveal',
        'exports.saveAs',
        'ingest.importFiles',
        'ingest.pause',
        'ingest.resume',
        'jobs.cancel',
        'jobs.deadLetters.purge',
        'jobs.deadLetters.requeue',
        'jobs.deadLetters.requeueAll',
        // Asks a model a question: work on the user's LLM server.
        'llm.test',
        // Connects to the broker: a login attempt it may log or count.
        'mqtt.test',
        // A dry run is a job of its own (a row in jobs).
        'retention.preview',
        'retention.run',
        'services.disable',
        'services.enable',
        'services.restart',
        'services.start',
        'services.stop',
        'notify.channels.create',
        'notify.channels.delete',
        'notify.channels.test',
        'notify.channels.update',
        'notify.deliveries.retry',
        'notify.preferences.update',
        'rum.ingest',
        'prompts.templates.create',
        'prompts.versions.create',
        'prompts.versions.activate',
        'prompts.rollback',
        'prompts.experiment.set',
        'prompts.experiment.stop',
        'prompts.experiment.promote',
        'prompts.evaluate',
        'prompts.playground',
        'prompts.playground.promote',
        'prompts.import',
        'system.backup',
        'system.settings.update',
        'zones.create',
        'zones.delete',
        'zones.update',
      ].sort(),
    );
    for (const c of READ_ONLY_CHANNELS) expect(CHANNEL_NAMES).toContain(c);
  });
});
