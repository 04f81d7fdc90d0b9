import path from 'node:path';
import type Database from 'better-sqlite3';
import pino from 'pino';
import { RotatingLogFile } from './log-file';
import { SqliteLogSink } from './log-sink';
import { currentCorrelationId } from '../common/correlation';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level?: string;
  /** Also write records at this level and above here (the `logs` table sink). */
  sink?: { write(line: string): void };
  sinkLevel?: pino.Level;
  /** Write to stderr (default true). */
  stderr?: boolean;
  /** Also write every line at the logger's level here (the rotating log file). */
  file?: { write(line: string): void };
}

/**
 * Structured logs (pino) as JSON on stderr. Secrets never reach here: log ids, not configs.
 * Every line carries the correlation id of the work it belongs to (a channel call, or an
 * ingested image on its way to an event, alerts and deliveries).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.HSI_LOG_LEVEL ?? 'info';
  const control: LevelControl = { children: new Map(), modules: new Map() };
  const streams: pino.StreamEntry[] = [];
  if (options.stderr !== false) streams.push({ level: 'trace', stream: pino.destination(2) });
  if (options.sink) streams.push({ level: options.sinkLevel ?? 'info', stream: options.sink });
  if (options.file) streams.push({ level: 'trace', stream: options.file });
  const root = pino(
    {
      level,
      base: undefined,
      // Each module's logger is remembered, so its level can change while the app runs.
      onChild: (child) => {
        const module = (child.bindings() as { module?: unknown }).module;
        if (typeof module !== 'string') return;
        const set = control.children.get(module) ?? new Set<WeakRef<Logger>>();
        set.add(new WeakRef(child));
        control.children.set(module, set);
        const own = control.modules.get(module);
        if (own) child.level = own;
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: (context) => {
        if ('correlationId' in context) return {};
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
      redact: {
        paths: ['*.password', '*.apiKey', '*.token', '*.secret', 'password', 'apiKey', 'token'],
        censor: '[REDACTED]',
      },
    },
    pino.multistream(streams),
  );
  controls.set(root, control);
  return root;
}

interface LevelControl {
  children: Map<string, Set<WeakRef<Logger>>>;
  /** Levels set for one module (they win over the root's). */
  modules: Map<string, string>;
}
const controls = new WeakMap<Logger, LevelControl>();

function liveChildren(control: LevelControl, module: string): Logger[] {
  const set = control.children.get(module);
  if (!set) return [];
  const alive: Logger[] = [];
  for (const ref of set) {
    const child = ref.deref();
    if (child) alive.push(child);
    else set.delete(ref);
  }
  return alive;
}

/** The root level and the modules' own levels. */
export function logLevels(root: Logger): { root: string; modules: Record<string, string> } {
  const control = controls.get(root);
  return { root: root.level, modules: Object.fromEntries(control?.modules ?? []) };
}

/**
 * Sets the root level (modules without their own follow it) or one module's level, at run
 * time; returns the level it replaced.
 */
export function setLogLevel(root: Logger, level: string, module?: string): string {
  const control = controls.get(root);
  if (!control) throw new Error('Not a logger made by createLogger');
  if (module) {
    const previous = control.modules.get(module) ?? root.level;
    control.modules.set(module, level);
    for (const child of liveChildren(control, module)) child.level = level;
    return previous;
  }
  const previous = root.level;
  root.level = level;
  for (const module of control.children.keys()) {
    if (control.modules.has(module)) continue;
    for (const child of liveChildren(control, module)) child.level = level;
  }
  return previous;
}

/**
 * The app's logging: stderr (unless turned off), the rotating file in `DATA/logs`, and the
 * `logs` table once the database is attached; or the logger the caller brings (tests).
 */
export function appLogging(dataDir: string, o: { logger?: Logger; logStderr?: boolean }) {
  const sink = new SqliteLogSink();
  const file = new RotatingLogFile(path.join(dataDir, 'logs'));
  const logger = o.logger ?? createLogger({ sink, stderr: o.logStderr, file });
  // A log file that stops being written (a full disk) says so where it still can be read.
  const log = logger.child({ module: 'logs' });
  file.onProblem = (message, recovered) => (recovered ? log.info(message) : log.warn(message));
  return {
    logger,
    attach: (sqlite: Database.Database) => sink.attach(sqlite),
    close: () => {
      sink.detach();
      file.close();
    },
  };
}
