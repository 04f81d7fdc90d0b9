import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src-main/app/compose';
import type { ManagedServiceConfig, Service } from '../../src-shared/services';
import { REDACTED } from '../../src-shared/settings';
import { FAST_BATCHES, detect } from '../helpers/events';
import { startServe } from '../helpers/serve-process';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';
import { freePort } from '../helpers/http';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'helpers', 'service-script.mjs');

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Running (a zombie waiting to be reaped by init has ended: it counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** Polls `check` until it holds (fails after 10 s). */
async function until<T>(check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves when `pid` has gone (checked as its exit is reaped; fails after 10 s). */
async function gone(pid: number): Promise<void> {
  await until(() => !alive(pid));
}

/** A managed service running the test script on a free port. */
async function scriptService(
  name: string,
  dir: string,
  extra: Partial<ManagedServiceConfig> & { env?: Record<string, string> } = {},
): Promise<ManagedServiceConfig & { port: number; pidFile: string }> {
  const port = await freePort();
  const pidFile = path.join(dir, `${name}.pids`);
  return {
    name,
    command: process.execPath,
    args: [SCRIPT],
    cwd: '',
    healthUrl: `http://127.0.0.1:${port}/health`,
    startupTimeoutSeconds: 10,
    dependsOn: [],
    requiredBy: [],
    ...extra,
    env: { PORT: String(port), PID_FILE: pidFile, NAME: name, ...extra.env },
    port,
    pidFile,
  };
}

const pids = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];

/** Resolves with the service once `match` holds (now or at a later `service.changed`). */
function serviceWhen(app: App, name: string, match: (s: Service) => boolean): Promise<Service> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${name} never matched; now ${JSON.stringify(app.supervisor.get(name))}`));
    }, 15_000);
    const off = app.bus.on('service.changed', (s) => {
      if (s.name !== name || !match(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
    const now = app.supervisor.get(name);
    if (match(now)) {
      clearTimeout(timer);
      off();
      resolve(now);
    }
  });
}

const post = (port: number, what: string) =>
  fetch(`http://127.0.0.1:${port}${what}`, { method: 'POST' }).then((r) => r.text());

const fastChecks = {
  healthIntervalSeconds: 0.1,
  healthTimeoutSeconds: 0.5,
  backoffSeconds: 0.2,
  maxBackoffSeconds: 5,
  stableSeconds: 60,
  maxFailures: 5,
};

async function appWith(managed: ManagedServiceConfig[], supervisor = {}): Promise<TestApp> {
  const dir = tempDir();
  // The app's own logger at info: lines reach the logs table (services.logs).
  const level = process.env.HSI_LOG_LEVEL;
  process.env.HSI_LOG_LEVEL = 'info';
  t = await startTestApp({
    dataDir: dir,
    logger: undefined,
    logStderr: false,
    serviceGraceMs: 300,
    settingsPatch: {
      services: { ...fastChecks, ...supervisor, managed: managed.map(strip) },
    },
  });
  process.env.HSI_LOG_LEVEL = level;
  await t.app.supervisor.ready();
  return t;
}

const strip = ({
  port: _p,
  pidFile: _f,
  ...config
}: ManagedServiceConfig & Record<string, unknown>) => config as ManagedServiceConfig;

describe('services supervisor', () => {
  it("lists the app's own services in dependency order, all running", async () => {
    t = await startTestApp({ ingest: true });
    const list = await t.call('services.list', {});
    const names = list.map((s) => s.name);
    for (const s of list) {
      for (const dep of s.dependsOn) expect(names.indexOf(dep)).toBeLessThan(names.indexOf(s.name));
    }
    expect(names).toEqual(
      expect.arrayContaining(['database', 'scorer', 'ingest', 'notifications']),
    );
    const byName = Object.fromEntries(list.map((s) => [s.name, s]));
    expect(byName.ingest!.dependsOn).toEqual(['database', 'detector', 'aggregator']);
    expect(byName.database!.dependents).toEqual(expect.arrayContaining(['scorer', 'jobs']));
    // The detector has no model in a bare data dir: degraded, saying why.
    expect(byName.detector!.status === 'degraded' || byName.detector!.status === 'running').toBe(
      true,
    );
    for (const name of ['database', 'scorer', 'aggregator', 'alerts', 'notifications', 'jobs']) {
      expect(byName[name]!.status).toBe('running');
    }
    const health = await t.call('system.health', {});
    expect(health.services.map((s) => s.name)).toEqual(expect.arrayContaining(names));
  });

  it('restarts one of its own services and keeps scoring events', async () => {
    t = await startTestApp({ settingsPatch: FAST_BATCHES });
    const restarted = await t.call('services.restart', { name: 'scorer' });
    expect(restarted).toMatchObject({ status: 'running', restarts: 1, failures: 0 });
    await t.call('cameras.create', { name: 'Porch' });
    const created = new Promise((resolve) => t!.app.bus.on('event.created', resolve));
    await detect(t.app, 'porch', [{ objectClass: 'person', confidence: 0.9 }]);
    await expect(created).resolves.toMatchObject({ cameraId: 'porch' });

    const refused = await t.raw('services.stop', { name: 'database' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const missing = await t.raw('services.get', { name: 'nope' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('starts managed services after what they depend on and stops them in reverse', async () => {
    const dir = tempDir('hsi-svc-');
    const orderFile = path.join(dir, 'order');
    const env = { ORDER_FILE: orderFile };
    const base = await scriptService('base-server', dir, {
      env: { ...env, START_DELAY_MS: '300' },
    });
    const top = await scriptService('top-server', dir, { env, dependsOn: ['base-server'] });
    await appWith([top, base]);
    expect(fs.readFileSync(orderFile, 'utf8').trim().split('\n')).toEqual([
      'start base-server',
      'start top-server',
    ]);
    const list = await t!.call('services.list', {});
    expect(list.findIndex((s) => s.name === 'base-server')).toBeLessThan(
      list.findIndex((s) => s.name === 'top-server'),
    );
    expect(list.find((s) => s.name === 'top-server')).toMatchObject({
      kind: 'process',
      status: 'running',
      dependsOn: ['base-server'],
      command: `${process.execPath} ${SCRIPT}`,
    });
    const [basePid] = pids(base.pidFile);
    const [topPid] = pids(top.pidFile);
    await t!.close();
    t = undefined;
    expect(fs.readFileSync(orderFile, 'utf8').trim().split('\n').slice(2)).toEqual([
      'stop top-server',
      'stop base-server',
    ]);
    // The process group went with the app: nothing left behind (SIGKILL lands in moments).
    await gone(basePid!);
    await gone(topPid!);
  });

  it('refuses a dependency cycle or a missing dependency, naming it', async () => {
    t = await startTestApp();
    const dir = tempDir('hsi-svc-');
    const a = strip(await scriptService('a', dir, { dependsOn: ['b'] }));
    const b = strip(await scriptService('b', dir, { dependsOn: ['a'] }));
    const cycle = await t.raw('system.settings.update', { services: { managed: [a, b] } });
    expect(cycle).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(JSON.stringify(cycle)).toContain('a → b → a');
    const missing = await t.raw('system.settings.update', {
      services: { managed: [{ ...a, dependsOn: ['llama'] }] },
    });
    expect(JSON.stringify(missing)).toContain(
      '\\"a\\" depends on \\"llama\\", which does not exist',
    );
    const viaInternal = await t.raw('system.settings.update', {
      // scorer needs a, a needs the aggregator, the aggregator needs scorer.
      services: { managed: [{ ...a, dependsOn: ['aggregator'], requiredBy: ['scorer'] }] },
    });
    expect(JSON.stringify(viaInternal)).toContain('cycle: scorer → a → aggregator → scorer');

    expect((await t.call('services.list', {})).some((s) => s.kind === 'process')).toBe(false);
  });

  it('restarts a crashed process after a backoff that doubles', async () => {
    const dir = tempDir('hsi-svc-');
    const svc = await scriptService('crashy', dir);
    await appWith([svc]);
    const app = t!.app;
    const [first] = pids(svc.pidFile);

    const failed = serviceWhen(app, 'crashy', (s) => s.status === 'failed');
    await post(svc.port, '/crash');
    const f1 = await failed;
    const seen1 = Date.now();
    expect(f1).toMatchObject({ failures: 1, lastError: 'the process exited with code 1' });
    const wait1 = Date.parse(f1.nextRestartAt!) - seen1;
    expect(wait1).toBeGreaterThan(0);
    expect(wait1).toBeLessThanOrEqual(200);
    const back = await serviceWhen(
      app,
      'crashy',
      (s) => s.status === 'running' && s.restarts === 1,
    );
    expect(Date.parse(back.startedAt!)).toBeGreaterThanOrEqual(Date.parse(f1.nextRestartAt!));
    expect(alive(first!)).toBe(false);
    const [, second] = pids(svc.pidFile);
    expect(second).not.toBe(first);

    const failedAgain = serviceWhen(app, 'crashy', (s) => s.status === 'failed');
    await post(svc.port, '/exit?code=7');
    const f2 = await failedAgain;
    expect(f2).toMatchObject({ failures: 2, lastError: 'the process exited with code 7' });
    // 0.2 s, then 0.4 s.
    expect(Date.parse(f2.nextRestartAt!) - Date.now()).toBeGreaterThan(200);
    await serviceWhen(app, 'crashy', (s) => s.status === 'running' && s.restarts === 2);

    // A manual restart starts the count over.
    expect(await t!.call('services.restart', { name: 'crashy' })).toMatchObject({
      status: 'running',
      failures: 0,
      restarts: 3,
    });
  });

  it('disables a service after N failures in a row; enabling resets it', async () => {
    const dir = tempDir('hsi-svc-');
    const failFile = path.join(dir, 'fail');
    fs.writeFileSync(failFile, '');
    const svc = await scriptService('flaky', dir, { env: { FAIL_FILE: failFile } });
    await appWith([svc], { maxFailures: 3, backoffSeconds: 0.05 });
    const disabled = await serviceWhen(t!.app, 'flaky', (s) => !s.enabled);
    expect(disabled).toMatchObject({ status: 'failed', failures: 3, nextRestartAt: null });
    expect(disabled.disabledReason).toContain('failed 3 times in a row');
    expect(disabled.disabledReason).toContain('exited with code 2 while starting');
    expect(pids(svc.pidFile)).toHaveLength(3);

    for (const channel of ['services.start', 'services.restart'] as const) {
      const r = await t!.raw(channel, { name: 'flaky' });
      expect(r).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(JSON.stringify(r)).toContain('disabled');
    }
    // Still disabled after the app restarts.
    const dataDir = t!.dataDir;
    await t!.app.close();
    t = await startTestApp({ dataDir, serviceGraceMs: 300 });
    await t.app.supervisor.ready();
    expect(await t.call('services.get', { name: 'flaky' })).toMatchObject({
      enabled: false,
      status: 'stopped',
    });
    expect(pids(svc.pidFile)).toHaveLength(3);

    fs.rmSync(failFile);
    expect(await t.call('services.enable', { name: 'flaky' })).toMatchObject({
      enabled: true,
      status: 'running',
      failures: 0,
      disabledReason: null,
    });
    expect(await t.call('services.disable', { name: 'flaky' })).toMatchObject({
      enabled: false,
      status: 'stopped',
      disabledReason: 'disabled by you',
    });
  });

  it('kills a hung process when its health check times out, and starts it again', async () => {
    const dir = tempDir('hsi-svc-');
    const svc = await scriptService('hangs', dir);
    await appWith([svc]);
    const [first] = pids(svc.pidFile);
    const failed = serviceWhen(t!.app, 'hangs', (s) => s.status === 'failed');
    await post(svc.port, '/hang');
    expect((await failed).lastError).toBe('health check timed out after 500 ms');
    await gone(first!);
    await serviceWhen(t!.app, 'hangs', (s) => s.status === 'running' && s.restarts === 1);
    expect(pids(svc.pidFile)).toHaveLength(2);
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const dir = tempDir('hsi-svc-');
    const svc = await scriptService('stubborn', dir, { env: { IGNORE_SIGTERM: '1' } });
    await appWith([svc]);
    const [pid] = pids(svc.pidFile);
    expect(await t!.call('services.stop', { name: 'stubborn' })).toMatchObject({
      status: 'stopped',
      pid: null,
    });
    await gone(pid!);
    await until(async () =>
      (await t!.call('services.logs', { name: 'stubborn' })).items.some(
        (l) => l.message === 'ignoring SIGTERM',
      ),
    );
    expect(await t!.call('services.start', { name: 'stubborn' })).toMatchObject({
      status: 'running',
    });
  });

  it("captures the process's output in its logs and keeps its secrets out of settings", async () => {
    const dir = tempDir('hsi-svc-');
    const svc = await scriptService('talker', dir, {
      env: { SAY: 'hello from the server', API_KEY: 'sk-very-secret' },
      args: [SCRIPT, '--api-key', 'sk-arg-secret'],
    });
    await appWith([svc]);
    const logs = await until(async () => {
      const page = await t!.call('services.logs', { name: 'talker' });
      return page.items.some((l) => l.message === 'hello from the server') ? page : undefined;
    });
    expect(logs.items.every((l) => l.module === 'talker')).toBe(true);

    const shown = await t!.call('system.settings.get', {});
    const managed = shown.services.managed[0]!;
    expect(managed.env.API_KEY).toBe(REDACTED);
    expect(managed.args).toEqual([SCRIPT, '--api-key', REDACTED]);
    await t!.app.settings.update({ debug: true });
    const config = JSON.stringify(await t!.call('debug.config', {}));
    expect(config).toContain('talker');
    expect(config).not.toContain('sk-very-secret');
    expect(config).not.toContain('sk-arg-secret');
    // Saved back as shown: the secrets keep their values, so nothing restarts.
    await t!.call('system.settings.update', { services: { managed: shown.services.managed } });
    const stored = t!.app.settings.get().services.managed[0]!;
    expect(stored.env.API_KEY).toBe('sk-very-secret');
    expect(stored.args[2]).toBe('sk-arg-secret');
    expect(pids(svc.pidFile)).toHaveLength(1);
  });

  it('shows a dependent degraded while a managed dependency is down, then recovered', async () => {
    const dir = tempDir('hsi-svc-');
    const llm = await scriptService('llm', dir, { requiredBy: ['scorer'] });
    await appWith([llm], { backoffSeconds: 0.5 });
    expect(await t!.call('services.get', { name: 'scorer' })).toMatchObject({
      status: 'running',
      dependsOn: expect.arrayContaining(['llm']) as unknown,
    });
    const degraded = serviceWhen(t!.app, 'scorer', (s) => s.status === 'degraded');
    await post(llm.port, '/crash');
    expect((await degraded).detail).toBe('needs "llm" (failed)');
    await serviceWhen(t!.app, 'scorer', (s) => s.status === 'running');
    expect((await t!.call('services.get', { name: 'llm' })).status).toBe('running');
    expect((await t!.call('system.health', {})).status).toBe('ok');
  });

  it('applies managed services added, changed and removed in settings', async () => {
    t = await startTestApp({ serviceGraceMs: 300 });
    await t.call('system.settings.update', { services: fastChecks });
    const dir = tempDir('hsi-svc-');
    const svc = await scriptService('later', dir);
    await t.call('system.settings.update', { services: { managed: [strip(svc)] } });
    await serviceWhen(t.app, 'later', (s) => s.status === 'running');
    const [pid] = pids(svc.pidFile);
    const keeper = t.app.supervisor.get('later').pid;
    await t.call('system.settings.update', {
      services: { managed: [{ ...strip(svc), env: { ...svc.env, SAY: 'changed' } }] },
    });
    await serviceWhen(t.app, 'later', (s) => s.status === 'running' && s.pid !== keeper);
    expect(alive(pid!)).toBe(false);
    expect(pids(svc.pidFile)).toHaveLength(2);
    const removed = new Promise((resolve) => t!.app.bus.on('service.removed', resolve));
    await t.call('system.settings.update', { services: { managed: [] } });
    await expect(removed).resolves.toEqual({ name: 'later' });
    await gone(pids(svc.pidFile)[1]!);
    expect((await t.raw('services.get', { name: 'later' })).ok).toBe(false);
  });
});

describe('managed processes never outlive the app', () => {
  it('are stopped while still starting when the app closes', async () => {
    const dir = tempDir('hsi-svc-');
    const orderFile = path.join(dir, 'order');
    const slow = await scriptService('slow-start', dir, {
      env: { START_DELAY_MS: '60000', ORDER_FILE: orderFile },
      startupTimeoutSeconds: 120,
    });
    t = await startTestApp({
      serviceGraceMs: 300,
      settingsPatch: { services: { managed: [strip(slow)] } },
    });
    await until(() => pids(slow.pidFile).length === 1);
    expect(t.app.supervisor.get('slow-start').status).toBe('starting');
    const [pid] = pids(slow.pidFile);
    await t.close();
    t = undefined;
    await gone(pid!);
    // Stopped before it ever listened.
    expect(fs.readFileSync(orderFile, 'utf8').trim()).toBe('stop slow-start');
  });

  it('are killed with their group when the app is SIGKILLed', async () => {
    const dir = tempDir('hsi-svc-');
    const svc = await scriptService('orphan-check', dir);
    const settingsFile = path.join(dir, 'settings.json');
    fs.writeFileSync(settingsFile, JSON.stringify({ services: { managed: [strip(svc)] } }));
    const serve = await startServe([
      '--data-dir',
      path.join(dir, 'data'),
      '--port',
      '0',
      '--settings',
      settingsFile,
    ]);
    try {
      const deadline = Date.now() + 15_000;
      while (pids(svc.pidFile).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const [pid] = pids(svc.pidFile);
      expect(alive(pid!)).toBe(true);
      serve.child.kill('SIGKILL');
      await gone(pid!);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });
});
