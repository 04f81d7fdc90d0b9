import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../src-shared/contract';
import { channels, isChannelName } from '../../src-shared/contract';
import type { RpcResult } from '../../src-shared/errors';
import { AppError } from '../../src-shared/errors';
import { withCorrelation } from '../common/correlation';
import type { CallContext, Handlers } from '../common/handlers';
import { zodIssues } from '../common/zod-issues';
import type { Logger } from '../system';
import { respondToError } from './errors';

export type { CallContext, Handler, Handlers } from '../common/handlers';

export interface CallRecord {
  channel: ChannelName;
  input: unknown;
  result: RpcResult<unknown>;
  durationMs: number;
  correlationId: string;
  transport: CallContext['transport'];
  /** A debug replay: the correlation id of the call it re-ran. */
  replayOf?: string;
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
  /** A debug replay: the correlation id of the call it re-runs. */
  replayOf?: string;
}

export interface Router {
  invoke(channel: string, input: unknown, meta: InvokeMeta): Promise<RpcResult<unknown>>;
  /** Channels callable right now (debug channels only in debug mode). */
  available(): ChannelName[];
}

/**
 * One table: channel → zod schema → handler, with validation, error mapping, timing, and the
 * call's correlation id carried (AsyncLocalStorage) into everything the handler does.
 */
export function createRouter(options: RouterOptions): Router {
  const { handlers, logger, debugEnabled, onCall } = options;
  const log = logger.child({ module: 'router' });

  const isAvailable = (name: ChannelName) =>
    !(channels[name] as { debugOnly?: boolean }).debugOnly || debugEnabled();

  async function call(name: ChannelName, input: unknown, meta: InvokeMeta, correlationId: string) {
    const started = performance.now();
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
        result = { ok: false, error: respondToError(err, log, { channel: name, correlationId }) };
      }
    }
    const durationMs = performance.now() - started;
    log.debug({ channel: name, durationMs, ok: result.ok }, 'call');
    onCall?.({
      channel: name,
      input,
      result,
      durationMs,
      correlationId,
      transport: meta.transport,
      ...(meta.replayOf !== undefined && { replayOf: meta.replayOf }),
    });
    return result;
  }

  return {
    invoke(name, input, meta) {
      if (!isChannelName(name) || !isAvailable(name)) {
        return Promise.resolve({
          ok: false as const,
          error: { code: 'unknown_channel' as const, message: `Unknown channel: ${name}` },
        });
      }
      const correlationId = meta.correlationId ?? randomUUID();
      return withCorrelation(correlationId, () => call(name, input, meta, correlationId));
    },
    available: () => (Object.keys(channels) as ChannelName[]).filter(isAvailable),
  };
}

/** Calls channels as code does: the data, or the error thrown as an AppError. */
export function typedInvoke(router: Router, transport: CallContext['transport']) {
  return async <C extends ChannelName>(
    channel: C,
    input: ChannelInput<C>,
  ): Promise<ChannelOutput<C>> => {
    const result = await router.invoke(channel, input, { transport });
    if (!result.ok)
      throw new AppError(result.error.code, result.error.message, result.error.issues);
    return result.data as ChannelOutput<C>;
  };
}
