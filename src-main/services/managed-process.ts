import {
  type ChildProcess,
  type ChildProcessWithoutNullStreams,
  spawn,
  spawnSync,
} from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { ManagedServiceConfig } from '../../src-shared/services';
import { redactUrl } from '../common/redact';
import type { Logger } from '../system';
import type { ProbeResult } from './supervisor';

/**
 * The keeper on Linux and macOS: a POSIX shell, so it needs no Node (a packaged Electron app
 * cannot run as Node). It leads the process group, starts the server in it and waits for it,
 * exiting with its code; a background reader holds the app's pipe (as fd 3: a background job's
 * own stdin is /dev/null), and when the pipe closes (the app exited, even killed) it stops the
 * group: SIGTERM, SIGKILL after the grace.
 */
const SHELL_KEEPER = `grace=$1; shift
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
(
  trap '' TERM
  while read -r _ <&3; do :; done
  kill -TERM 0 2>/dev/null
  sleep "$grace"
  kill -KILL 0 2>/dev/null
) &
watcher=$!
exec 3<&-
trap ':' TERM INT
while :; do
  wait "$child"; code=$?
  kill -0 "$child" 2>/dev/null || break
done
kill -KILL "$watcher" 2>/dev/null
exit "$code"`;

/** How long a stopping server gets after SIGTERM before its group is killed. */
const DEFAULT_GRACE_MS = 3000;

/**
 * The watchdog on Windows, which has neither process groups nor a shell to keep them: a hidden
 * PowerShell that waits for the app or the server to end and, when the app ended first (even
 * killed), ends the server's whole process tree. PowerShell ships with Windows and needs no
 * Node (a packaged Electron app cannot run as Node: the runAsNode fuse is off).
 */
export function windowsWatchdog(
  appPid: number,
  serverPid: number,
): { command: string; args: string[] } {
  if (!Number.isInteger(appPid) || !Number.isInteger(serverPid))
    throw new Error('process ids only');
  const script = [
    `$app = Get-Process -Id ${appPid} -ErrorAction SilentlyContinue`,
    `$server = Get-Process -Id ${serverPid} -ErrorAction SilentlyContinue`,
    'if (-not $server) { exit 0 }',
    'while ($app -and -not $app.HasExited -and -not $server.HasExited) { Start-Sleep -Milliseconds 500 }',
    `if (-not $server.HasExited) { taskkill.exe /PID ${serverPid} /T /F | Out-Null }`,
  ].join('; ');
  return {
    command: 'powershell.exe',
    args: [
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-WindowStyle',
      'Hidden',
      '-Command',
      script,
    ],
  };
}

/**
 * One local server the user configured (e.g. `llama-server`), run in its own process group
 * under the shell keeper (on Windows: started directly, its process tree watched by
 * `windowsWatchdog`): output captured into the logs under the service's name, healthy when
 * its URL answers 2xx or its port accepts a connection, and stopped with its whole group
 * (SIGTERM, then SIGKILL after a grace period; on Windows its tree is ended).
 */
export class ManagedProcess {
  private child?: ChildProcess;
  private exit?: Promise<void>;
  private stopping = false;
  private exitReason?: string;
  private readonly log: Logger;

  constructor(
    readonly config: ManagedServiceConfig,
    private readonly d: {
      dataDir: string;
      logger: Logger;
      /** The server ended without being asked to. */
      onExit: (reason: string) => void;
      graceMs?: number;
    },
  ) {
    this.log = d.logger.child({ module: config.name });
  }

  get pid(): number | null {
    const c = this.child;
    return c && c.exitCode === null && c.signalCode === null ? (c.pid ?? null) : null;
  }

  describe(): string {
    return [this.config.command, ...this.config.args].join(' ');
  }

  /** Starts the server and waits until its health check passes (or the startup timeout). */
  async start(healthTimeoutMs: number): Promise<void> {
    const { config } = this;
    this.stopping = false;
    const env = { ...process.env, ...config.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const cwd = config.cwd ? path.resolve(this.d.dataDir, config.cwd) : this.d.dataDir;
    const graceMs = this.d.graceMs ?? DEFAULT_GRACE_MS;
    const child =
      process.platform === 'win32'
        ? this.spawnWatched(cwd, env)
        : spawn(
            '/bin/sh',
            [
              '-c',
              SHELL_KEEPER,
              'hsi-keeper',
              String(graceMs / 1000),
              config.command,
              ...config.args,
            ],
            { detached: true, stdio: ['pipe', 'pipe', 'pipe'], cwd, env },
          );
    this.child = child;
    this.exitReason = undefined;
    this.exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        const reason = signal ? `ended by ${signal}` : `exited with code ${code}`;
        this.exitReason = reason;
        if (!this.stopping) this.d.onExit(reason);
        resolve();
      });
      child.on('error', (err) => {
        this.exitReason = err.message;
        resolve();
      });
    });
    for (const [stream, level] of [
      [child.stdout, 'info'],
      [child.stderr, 'warn'],
    ] as const) {
      readline
        .createInterface({ input: stream })
        .on('line', (line) =>
          this.log[level]({ stream: level === 'info' ? 'stdout' : 'stderr' }, redactUrl(line)),
        );
    }
    child.stdin.on('error', () => undefined);
    this.log.info({ command: this.describe(), pid: child.pid }, 'managed service starting');

    const deadline = Date.now() + config.startupTimeoutSeconds * 1000;
    for (;;) {
      // Set by the exit listener (TypeScript cannot see it change across the awaits).
      const ended = this.exitReason as string | undefined;
      if (ended !== undefined) throw new Error(`${config.command} ${ended} while starting`);
      const health = await this.probe(
        Math.min(healthTimeoutMs, Math.max(50, deadline - Date.now())),
      );
      if (health.status === 'running') return;
      if (Date.now() >= deadline) {
        await this.stop();
        throw new Error(
          `not healthy within ${config.startupTimeoutSeconds} s (${health.detail ?? 'no answer'})`,
        );
      }
      await Promise.race([new Promise((r) => setTimeout(r, 100)), this.exit]);
    }
  }

  /** Windows: the server itself, with a watchdog that ends its tree if the app dies first. */
  private spawnWatched(cwd: string, env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
    const child = spawn(this.config.command, this.config.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd,
      env,
      windowsHide: true,
    });
    if (child.pid !== undefined) {
      const watchdog = windowsWatchdog(process.pid, child.pid);
      const watcher = spawn(watchdog.command, watchdog.args, {
        detached: true,
        stdio: 'ignore',
        windowsHide: true,
      });
      watcher.on('error', (err) =>
        this.log.warn({ err }, 'no watchdog: the server may outlive an app that is killed'),
      );
      watcher.unref();
    }
    return child;
  }

  /** Healthy when the health URL answers 2xx, or the port accepts a connection, in time. */
  async check(timeoutMs: number): Promise<ProbeResult> {
    const result = await this.probe(timeoutMs);
    if (result.status === 'running') return result;
    // A server that just died refuses connections a moment before its exit is seen: name
    // the exit rather than the refusal.
    const exited = await this.exitedWithin(250);
    return exited ? { status: 'failed', detail: `the process ${exited}` } : result;
  }

  private async probe(timeoutMs: number): Promise<ProbeResult> {
    if (this.pid === null) return { status: 'failed', detail: 'not running' };
    const { healthUrl, tcpPort } = this.config;
    try {
      if (healthUrl) {
        const res = await fetch(healthUrl, { signal: AbortSignal.timeout(timeoutMs) });
        await res.body?.cancel();
        if (!res.ok) return { status: 'failed', detail: `health URL answered ${res.status}` };
      } else if (tcpPort) {
        await connect(tcpPort, timeoutMs);
      }
      return { status: 'running', detail: null };
    } catch (err) {
      const e = err as Error;
      const timedOut = e.name === 'TimeoutError' || e.message === 'timeout';
      return {
        status: 'failed',
        detail: timedOut
          ? `health check timed out after ${timeoutMs} ms`
          : `health check failed: ${redactUrl((e.cause as Error | undefined)?.message ?? e.message)}`,
      };
    }
  }

  /** How the process ended, if it does within `ms`. */
  private async exitedWithin(ms: number): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exit, new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
    return this.exitReason;
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    signalGroup(child, 'SIGTERM');
    const grace = this.d.graceMs ?? DEFAULT_GRACE_MS;
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), grace);
    await this.exit;
    clearTimeout(timer);
    // The keeper has gone; anything left in its group goes with it.
    signalGroup(child, 'SIGKILL');
    this.log.info({ pid: child.pid }, 'managed service stopped');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { windowsHide: true });
    } else {
      process.kill(-child.pid, signal);
    }
  } catch {
    // Already gone.
  }
}

function connect(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('error', reject);
  });
}
