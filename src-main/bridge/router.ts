import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ChannelName, ChannelOutput, ChannelParsedInput } from '../../src-shared/contract';
import { channels, isChannelName } from '../../src-shared/contract';
import type { ErrorBody, RpcResult } from '../../src-shared/errors';
import { AppError } from '../../src-shared/errors';
import type { Logger } from '../system/logger';
import { zodIssues } from './zod-issues';

export interface CallContext {
  correlationId: string;
  transport: 'ipc' | 'http' | 'internal';
}

export type Handler<C extends ChannelName> = (
  input: ChannelParsedInput<C>,
  ctx: CallContext,
) => Promise<ChannelOutput<C>> | ChannelOutput<C>;

/** Every channel in the contract must have exactly one handler. */
export type Handlers = { [C in ChannelName]: Handler<C> };

export interface CallRecord {
  channel: ChannelName;
  input: unknown;
  result: RpcResult<unknown>;
  durationMs: number;
  correlationId: string;
  transport: CallContext['transport'];
}

export interface RouterOptions {
  handlers: Handlers;
  logger: Logger;
  debugEnabled: () => boolean;
  /** Called after every call (metrics, debug recordings). */
  onCall?: (record: CallRecord) => void;
}

export interface InvokeMeta {
  transport: CallContext['transport'];
  correlationId?: string;
}

export interface Router {
  invoke(channel: string, input: unknown, meta: InvokeMeta): Promise<RpcResult<unknown>>;
  /** Channels callable right now (debug channels only in debug mode). */
  available(): ChannelName[];
}

function sqliteCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    return err.code.startsWith('SQLITE_') ? err.code : undefined;
  }
  return undefined;
}

/** Maps anything thrown by a handler to an error body; never leaks a stack. */
export function toErrorBody(err: unknown): { body: ErrorBody; expected: boolean } {
  if (err instanceof AppError) {
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.issues) body.issues = err.issues;
    return { body, expected: err.code !== 'internal' };
  }
  const code = sqliteCode(err);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return { body: { code: 'conflict', message: 'That already exists.' }, expected: true };
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return {
      body: { code: 'not_found', message: 'A record this refers to does not exist.' },
      expected: true,
    };
  }
  if (code === 'SQLITE_BUSY') {
    return {
      body: { code: 'unavailable', message: 'The database is busy; try again.' },
      expected: true,
    };
  }
  return { body: { code: 'internal', message: 'Internal error' }, expected: false };
}

/** One table: channel → zod schema → handler, with validation, error mapping and timing. */
export function createRouter(options: RouterOptions): Router {
  const { handlers, logger, debugEnabled, onCall } = options;
  const log = logger.child({ module: 'router' });

  const isAvailable = (name: ChannelName) =>
    !(channels[name] as { debugOnly?: boolean }).debugOnly || debugEnabled();

  async function invoke(name: string, input: unknown, meta: InvokeMeta) {
    const correlationId = meta.correlationId ?? randomUUID();
    const started = performance.now();
    if (!isChannelName(name) || !isAvailable(name)) {
      return {
        ok: false as const,
        error: { code: 'unknown_channel' as const, message: `Unknown channel: ${name}` },
      };
    }
    let result: RpcResult<unknown>;
    const parsed = channels[name].input.safeParse(input ?? {});
    if (!parsed.success) {
      result = {
        ok: false,
        error: {
          code: 'invalid_input',
          message: `Invalid input for ${name}`,
          issues: zodIssues(parsed.error),
        },
      };
    } else {
      try {
        const handler = handlers[name] as (i: unknown, c: CallContext) => unknown;
        const data = await handler(parsed.data, { correlationId, transport: meta.transport });
        result = { ok: true, data };
      } catch (err) {
        const { body, expected } = toErrorBody(err);
        if (expected) log.debug({ channel: name, correlationId, code: body.code }, body.message);
        else log.error({ channel: name, correlationId, err }, 'channel handler failed');
        if (body.code === 'internal') body.message = `Internal error (reference ${correlationId})`;
        result = { ok: false, error: body };
      }
    }
    const durationMs = performance.now() - started;
    log.debug({ channel: name, correlationId, durationMs, ok: result.ok }, 'call');
    onCall?.({
      channel: name,
      input,
      result,
      durationMs,
      correlationId,
      transport: meta.transport,
    });
    return result;
  }

  return {
    invoke,
    available: () => (Object.keys(channels) as ChannelName[]).filter(isAvailable),
  };
}
