import type { ServiceStatus } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { Settings } from '../../src-shared/settings';
import type { ManagedServiceConfig, Service, ServiceHealthCheck } from '../../src-shared/services';
import { INTERNAL_DEPENDENCIES, dependencyProblem } from '../../src-shared/services';
import type { Publish } from '../common/domain-events';
import type { Logger } from '../system';
import { ManagedProcess } from './managed-process';
import type { ServiceRepository, StoredServiceState } from './service-repository';

export interface ProbeResult {
  status: 'running' | 'degraded' | 'failed';
  detail: string | null;
}

/** One of the app's own long-running parts, as the supervisor runs it. */
export interface ServiceSpec {
  name: string;
  description: string;
  /** False: it starts and stops only with the app (the database, the detector). */
  restartable: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** How it is doing now (none: running while started). */
  check?(timeoutMs: number): Promise<ProbeResult> | ProbeResult;
  /** Log modules that belong to it (default: its name). */
  logModules?: string[];
  /** A dependency it needs came back (e.g. the LLM server: re-score now). */
  onDependencyRecovered?(): void;
}

type SupervisorSettings = Settings['services'];

interface Runtime {
  spec: ServiceSpec;
  kind: 'internal' | 'process';
  process?: ManagedProcess;
  managed?: ManagedServiceConfig;
  status: Exclude<ServiceStatus, 'degraded'>;
  enabled: boolean;
  disabledReason: string | null;
  failures: number;
  restarts: number;
  lastError: string | null;
  health: ServiceHealthCheck | null;
  startedAt: number | null;
  nextRestartAt: number | null;
  restartTimer?: NodeJS.Timeout;
  /** Operations on one service run one after another. */
  queue: Promise<unknown>;
  checking: boolean;
  /** It has run before (a later start is a return: dependents are told). */
  hasRun: boolean;
}

const UP = new Set<ServiceStatus>(['running', 'degraded']);

/**
 * Starts every service in dependency order and stops them in reverse; checks each one's
 * health on an interval (with a timeout); restarts a failed one with exponential backoff and
 * disables it after `maxFailures` failures in a row until it is enabled again. A service whose
 * dependency is down shows degraded, not failed, and is told when the dependency returns.
 * Managed local servers (settings `services.managed`) are services like the app's own.
 */
export class ServiceSupervisor {
  private readonly services = new Map<string, Runtime>();
  private stored = new Map<string, StoredServiceState>();
  private healthTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private closing = false;
  private background: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    private readonly d: {
      repo: ServiceRepository;
      /** `services` settings; a changed managed list is applied as it is saved. */
      settings: {
        get(): { services: SupervisorSettings };
        onChange(listener: (next: Settings, previous: Settings) => void): () => void;
      };
      publish: Publish;
      logger: Logger;
      dataDir: string;
      /** SIGTERM → SIGKILL grace for managed processes. */
      graceMs?: number;
    },
  ) {
    this.log = d.logger.child({ module: 'supervisor' });
  }

  private config(): SupervisorSettings {
    return this.d.settings.get().services;
  }

  /** Adds one of the app's own services (its dependencies are INTERNAL_DEPENDENCIES). */
  register(spec: ServiceSpec): void {
    this.add(spec, 'internal');
  }

  private add(spec: ServiceSpec, kind: Runtime['kind'], managed?: ManagedServiceConfig): Runtime {
    const stored = this.stored.get(spec.name);
    const rt: Runtime = {
      spec,
      kind,
      managed,
      status: 'stopped',
      enabled: stored?.enabled ?? true,
      disabledReason: stored?.disabledReason ?? null,
      failures: stored?.failures ?? 0,
      restarts: stored?.restarts ?? 0,
      lastError: stored?.lastError ?? null,
      health: null,
      startedAt: null,
      nextRestartAt: null,
      queue: Promise.resolve(),
      checking: false,
      hasRun: false,
    };
    this.services.set(spec.name, rt);
    return rt;
  }

  /** What `name` needs running: its own dependencies and managed services it requires. */
  dependencies(name: string): string[] {
    const rt = this.services.get(name);
    const own = rt?.managed
      ? rt.managed.dependsOn
      : (INTERNAL_DEPENDENCIES[name as keyof typeof INTERNAL_DEPENDENCIES] ?? []);
    const required = [...this.services.values()]
      .filter((s) => s.managed?.requiredBy.includes(name))
      .map((s) => s.spec.name);
    return [...own, ...required].filter((dep) => this.services.has(dep));
  }

  private dependents(name: string): string[] {
    return [...this.services.keys()].filter((other) => this.dependencies(other).includes(name));
  }

  /** Every service, dependencies before their dependents. */
  private order(): Runtime[] {
    const seen = new Set<string>();
    const out: Runtime[] = [];
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const dep of this.dependencies(name)) visit(dep);
      out.push(this.services.get(name)!);
    };
    for (const name of this.services.keys()) visit(name);
    return out;
  }

  /**
   * Loads what was remembered, adds the managed services from settings (none, with the error
   * logged, if they do not fit together), starts the app's services in order and the managed
   * ones in the background, and begins health checks.
   */
  async start(): Promise<void> {
    this.stored = await this.d.repo.all();
    for (const rt of this.services.values()) Object.assign(rt, this.remembered(rt.spec.name));
    const problem = dependencyProblem(this.config().managed);
    if (problem) this.log.error({ problem }, 'managed services not started');
    else for (const config of this.config().managed) this.addManaged(config);
    for (const rt of this.order()) {
      if (rt.kind === 'internal' && (rt.enabled || !rt.spec.restartable)) await this.startOne(rt);
    }
    this.background = this.startProcesses(this.order().filter((rt) => rt.kind === 'process'));
    this.scheduleHealth();
    this.unsubscribe = this.d.settings.onChange((next, previous) => {
      const managed = next.services.managed;
      if (JSON.stringify(managed) === JSON.stringify(previous.services.managed)) return;
      void this.applyManaged(managed).catch((err: unknown) =>
        this.log.error({ err }, 'managed services could not be applied'),
      );
    });
  }

  private remembered(name: string): Partial<Runtime> {
    return { ...this.stored.get(name) };
  }

  private async startProcesses(list: Runtime[]): Promise<void> {
    for (const rt of list) {
      if (rt.enabled && !this.closing) await this.enqueue(rt, () => this.startOne(rt));
    }
  }

  /** Resolves once the managed services started at launch have started (or failed). */
  ready(): Promise<void> {
    return this.background;
  }

  private addManaged(config: ManagedServiceConfig): Runtime {
    const holder: { rt?: Runtime } = {};
    const process = new ManagedProcess(config, {
      dataDir: this.d.dataDir,
      logger: this.d.logger,
      graceMs: this.d.graceMs,
      onExit: (reason) => {
        const rt = holder.rt;
        if (rt) void this.enqueue(rt, () => this.fail(rt, `the process ${reason}`));
      },
    });
    const rt = (holder.rt = this.add(
      {
        name: config.name,
        description: `Managed process: ${process.describe()}`,
        restartable: true,
        start: () => process.start(this.config().healthTimeoutSeconds * 1000),
        stop: () => process.stop(),
        check: (timeoutMs) => process.check(timeoutMs),
      },
      'process',
      config,
    ));
    rt.process = process;
    return rt;
  }

  /**
   * Applies a changed `services.managed` list: removed services stop, new ones start, changed
   * ones restart with their new command.
   */
  async applyManaged(next: ManagedServiceConfig[]): Promise<void> {
    const current = new Map(
      [...this.services.values()].filter((rt) => rt.managed).map((rt) => [rt.spec.name, rt]),
    );
    for (const [name, rt] of current) {
      const config = next.find((c) => c.name === name);
      if (config && JSON.stringify(config) === JSON.stringify(rt.managed)) continue;
      // Stopped at once, even while still starting (the queue would wait out its start).
      await this.stopSpec(rt);
      await this.enqueue(rt, async () => {
        this.clearRestart(rt);
        await rt.spec.stop();
        rt.status = 'stopped';
      });
      this.services.delete(name);
      if (!config) {
        await this.d.repo.remove(name);
        this.stored.delete(name);
        this.d.publish('service.removed', { name });
        // Its dependents no longer need it.
        for (const other of this.services.values()) this.emit(other);
      }
    }
    const added = next.filter((c) => !this.services.has(c.name)).map((c) => this.addManaged(c));
    for (const rt of added) this.emit(rt);
    this.background = this.background.then(() => this.startProcesses(added));
    await this.background;
  }

  list(): Service[] {
    return this.order().map((rt) => this.view(rt));
  }

  get(name: string): Service {
    return this.view(this.must(name));
  }

  /** Log modules of a service (for `services.logs`). */
  logModules(name: string): string[] {
    const rt = this.must(name);
    return [...new Set([name, ...(rt.spec.logModules ?? [])])];
  }

  async startService(name: string): Promise<Service> {
    const rt = this.must(name);
    this.mustBeControllable(rt, 'start');
    if (!rt.enabled) {
      throw new AppError(
        'conflict',
        `"${name}" is disabled (${rt.disabledReason}); enable it first`,
      );
    }
    for (const dep of this.dependencies(name)) {
      const d = this.services.get(dep)!;
      if (d.enabled && d.spec.restartable && !UP.has(this.effective(d).status)) {
        await this.startService(dep);
      }
    }
    await this.enqueue(rt, async () => {
      if (rt.status === 'running' || rt.status === 'starting') return;
      this.clearRestart(rt);
      await this.startOne(rt);
    });
    return this.get(name);
  }

  async stopService(name: string): Promise<Service> {
    const rt = this.must(name);
    this.mustBeControllable(rt, 'stop');
    await this.enqueue(rt, () => this.stopOne(rt));
    return this.get(name);
  }

  /** Stops and starts it again; the failure count starts over. */
  async restartService(name: string): Promise<Service> {
    const rt = this.must(name);
    this.mustBeControllable(rt, 'restart');
    if (!rt.enabled) {
      throw new AppError(
        'conflict',
        `"${name}" is disabled (${rt.disabledReason}); enable it first`,
      );
    }
    rt.failures = 0;
    await this.enqueue(rt, async () => {
      await this.stopOne(rt);
      rt.restarts += 1;
      await this.startOne(rt);
    });
    return this.get(name);
  }

  async enable(name: string): Promise<Service> {
    const rt = this.must(name);
    this.mustBeControllable(rt, 'enable');
    Object.assign(rt, { enabled: true, disabledReason: null, failures: 0 });
    await this.save(rt);
    return this.startService(name);
  }

  async disable(name: string): Promise<Service> {
    const rt = this.must(name);
    this.mustBeControllable(rt, 'disable');
    await this.enqueue(rt, async () => {
      Object.assign(rt, { enabled: false, disabledReason: 'disabled by you' });
      await this.stopOne(rt);
    });
    return this.get(name);
  }

  /** A service's own lines go under its name (what `services.logs` reads). */
  private logOf(rt: Runtime): Logger {
    return this.d.logger.child({ module: rt.spec.name });
  }

  private must(name: string): Runtime {
    const rt = this.services.get(name);
    if (!rt) throw new AppError('not_found', `No service named "${name}"`);
    return rt;
  }

  private mustBeControllable(rt: Runtime, action: string): void {
    if (!rt.spec.restartable) {
      throw new AppError(
        'conflict',
        `"${rt.spec.name}" cannot ${action} on its own: it starts and stops with the app`,
      );
    }
  }

  private enqueue<T>(rt: Runtime, op: () => Promise<T>): Promise<T> {
    const run = rt.queue.then(op, op);
    rt.queue = run.catch(() => undefined);
    return run;
  }

  private async startOne(rt: Runtime): Promise<void> {
    if (this.closing) return;
    rt.status = 'starting';
    rt.nextRestartAt = null;
    this.emit(rt);
    try {
      await rt.spec.start();
    } catch (err) {
      await this.fail(rt, `could not start: ${(err as Error).message}`);
      return;
    }
    rt.status = 'running';
    rt.startedAt = Date.now();
    rt.health = null;
    this.logOf(rt).info('service started');
    await this.save(rt);
    this.emitWithDependents(rt);
    if (rt.hasRun) this.tellDependents(rt);
    rt.hasRun = true;
  }

  private async stopOne(rt: Runtime): Promise<void> {
    this.clearRestart(rt);
    if (rt.status === 'stopped') return;
    await this.stopSpec(rt);
    rt.status = 'stopped';
    rt.startedAt = null;
    rt.health = null;
    this.logOf(rt).info('service stopped');
    await this.save(rt);
    this.emitWithDependents(rt);
  }

  /**
   * A failure: counted, the service stopped (a hung process killed), then restarted after
   * the backoff, or disabled after `maxFailures` in a row.
   */
  private async fail(rt: Runtime, reason: string): Promise<void> {
    // Stopped by hand, or already counted (a crash seen by both the start and the exit).
    if (this.closing || rt.status === 'stopped' || rt.status === 'failed') return;
    const s = this.config();
    rt.failures += 1;
    rt.lastError = reason;
    rt.startedAt = null;
    this.logOf(rt).warn({ failures: rt.failures, reason }, 'service failed');
    await this.stopSpec(rt);
    rt.status = 'failed';
    if (rt.spec.restartable && rt.failures >= s.maxFailures) {
      rt.enabled = false;
      rt.disabledReason = `failed ${rt.failures} times in a row (last: ${reason})`;
      this.logOf(rt).error('service disabled after repeated failures');
    } else if (rt.spec.restartable && rt.enabled) {
      const delayMs = Math.min(
        s.backoffSeconds * 1000 * 2 ** (rt.failures - 1),
        s.maxBackoffSeconds * 1000,
      );
      rt.nextRestartAt = Date.now() + delayMs;
      rt.restartTimer = setTimeout(() => {
        rt.restartTimer = undefined;
        void this.enqueue(rt, async () => {
          if (rt.status === 'failed' && rt.enabled) {
            rt.restarts += 1;
            await this.startOne(rt);
          }
        });
      }, delayMs);
      rt.restartTimer.unref();
    }
    await this.save(rt);
    this.emitWithDependents(rt);
  }

  private clearRestart(rt: Runtime): void {
    clearTimeout(rt.restartTimer);
    rt.restartTimer = undefined;
    rt.nextRestartAt = null;
  }

  private scheduleHealth(): void {
    const every = this.config().healthIntervalSeconds * 1000;
    this.healthTimer = setTimeout(() => {
      void this.checkAll().finally(() => {
        if (!this.closing) this.scheduleHealth();
      });
    }, every);
    this.healthTimer.unref();
  }

  /** One round of health checks of every running service (each with the timeout). */
  async checkAll(): Promise<void> {
    await Promise.all(
      [...this.services.values()]
        .filter((rt) => rt.status === 'running' && !rt.checking && rt.spec.check !== undefined)
        .map((rt) => this.checkOne(rt)),
    );
  }

  private async checkOne(rt: Runtime): Promise<void> {
    const timeoutMs = this.config().healthTimeoutSeconds * 1000;
    rt.checking = true;
    const began = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let result: ProbeResult;
    try {
      result = await Promise.race([
        Promise.resolve(rt.spec.check!(timeoutMs)),
        new Promise<ProbeResult>((resolve) => {
          timer = setTimeout(
            () =>
              resolve({ status: 'failed', detail: `health check timed out after ${timeoutMs} ms` }),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      result = { status: 'failed', detail: (err as Error).message };
    } finally {
      clearTimeout(timer);
      rt.checking = false;
    }
    if (rt.status !== 'running') return;
    const previous = rt.health;
    rt.health = { ...result, checkedAt: new Date().toISOString(), latencyMs: Date.now() - began };
    if (result.status === 'failed' && rt.spec.restartable) {
      await this.enqueue(rt, () => this.fail(rt, result.detail ?? 'health check failed'));
      return;
    }
    const stable = this.config().stableSeconds * 1000;
    if (
      result.status !== 'failed' &&
      rt.failures > 0 &&
      Date.now() - (rt.startedAt ?? 0) >= stable
    ) {
      rt.failures = 0;
      await this.save(rt);
    }
    if (previous?.status !== result.status || previous?.detail !== result.detail) {
      this.emitWithDependents(rt);
    }
  }

  private tellDependents(rt: Runtime): void {
    for (const name of this.dependents(rt.spec.name)) {
      try {
        this.services.get(name)?.spec.onDependencyRecovered?.();
      } catch (err) {
        this.log.error({ err, service: name }, 'dependency recovery hook failed');
      }
    }
  }

  /** Status as shown: running with a dependency down (or a degraded check) is degraded. */
  private effective(rt: Runtime): { status: ServiceStatus; detail: string | null } {
    if (rt.status !== 'running') {
      const detail =
        rt.status === 'failed'
          ? rt.enabled
            ? `${rt.lastError ?? 'failed'}${rt.nextRestartAt ? '; restarting after a pause' : ''}`
            : `disabled: ${rt.disabledReason}`
          : rt.enabled
            ? null
            : `disabled: ${rt.disabledReason}`;
      return { status: rt.status, detail };
    }
    const down = this.dependencies(rt.spec.name)
      .map((dep) => this.services.get(dep)!)
      .filter((dep) => dep.status !== 'running');
    if (down.length) {
      return {
        status: 'degraded',
        detail: `needs ${down.map((d) => `"${d.spec.name}" (${d.status})`).join(', ')}`,
      };
    }
    if (rt.health && rt.health.status !== 'running') {
      return { status: rt.health.status, detail: rt.health.detail };
    }
    // A healthy check may still say something (where a server listens).
    return { status: 'running', detail: rt.health?.detail ?? null };
  }

  private view(rt: Runtime): Service {
    const { status, detail } = this.effective(rt);
    return {
      name: rt.spec.name,
      kind: rt.kind,
      description: rt.spec.description,
      status,
      detail,
      enabled: rt.enabled,
      disabledReason: rt.enabled ? null : rt.disabledReason,
      restartable: rt.spec.restartable,
      dependsOn: this.dependencies(rt.spec.name),
      dependents: this.dependents(rt.spec.name),
      health: rt.health,
      lastError: rt.lastError,
      failures: rt.failures,
      restarts: rt.restarts,
      startedAt: rt.startedAt === null ? null : new Date(rt.startedAt).toISOString(),
      nextRestartAt: rt.nextRestartAt === null ? null : new Date(rt.nextRestartAt).toISOString(),
      pid: rt.process?.pid ?? null,
      command: rt.process?.describe() ?? null,
    };
  }

  private emit(rt: Runtime): void {
    this.d.publish('service.changed', this.view(rt));
  }

  /** A change of one service changes how its dependents look too. */
  private emitWithDependents(rt: Runtime): void {
    const seen = new Set<string>();
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const s = this.services.get(name);
      if (s) this.emit(s);
      for (const dependent of this.dependents(name)) walk(dependent);
    };
    walk(rt.spec.name);
  }

  private async save(rt: Runtime): Promise<void> {
    const state: StoredServiceState = {
      enabled: rt.enabled,
      disabledReason: rt.disabledReason,
      failures: rt.failures,
      restarts: rt.restarts,
      lastError: rt.lastError,
    };
    this.stored.set(rt.spec.name, state);
    await this.d.repo
      .save(rt.spec.name, state)
      .catch((err: unknown) => this.logOf(rt).error({ err }, 'could not save'));
  }

  /** Stops every service, dependents before what they depend on. */
  async stop(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    clearTimeout(this.healthTimer);
    for (const rt of this.services.values()) this.clearRestart(rt);
    for (const rt of this.order().reverse()) {
      // A server still starting (a model loading for minutes) is stopped, not waited for.
      if (rt.process) await this.stopSpec(rt);
      await rt.queue;
      if (rt.status === 'stopped') continue;
      await this.stopSpec(rt);
      rt.status = 'stopped';
    }
  }

  private async stopSpec(rt: Runtime): Promise<void> {
    try {
      await rt.spec.stop();
    } catch (err) {
      this.logOf(rt).error({ err }, 'service did not stop cleanly');
    }
  }
}
