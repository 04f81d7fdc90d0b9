import { randomUUID } from 'node:crypto';
import type { ChannelName } from '../../src-shared/contract';
import { READ_ONLY_CHANNELS } from '../../src-shared/contract';
import type { DebugRecording, LogLevels, ReplayResult } from '../../src-shared/domain';
import type { RpcResult } from '../../src-shared/errors';
import { AppError } from '../../src-shared/errors';
import { REDACTED } from '../../src-shared/settings';
import { redactSecrets } from '../common/redact';
import type { Logger } from '../system';
import { logLevels, setLogLevel } from '../system';
import { jsonDiff, volatileFor } from './json-diff';
import type { RecordingRepository } from './recording-repository';

/** Outputs longer than this (as JSON) are kept cut, and marked. */
export const MAX_RECORDED_OUTPUT = 64 * 1024;

/** A finished channel call, as the router reports it. */
export interface RecordedCall {
  channel: string;
  input: unknown;
  result: RpcResult<unknown>;
  durationMs: number;
  correlationId: string;
  transport: string;
  replayOf?: string;
}

/** Runs a channel as a transport would (the router, bound late: it is built after us). */
export type Invoke = (
  channel: string,
  input: unknown,
  meta: { transport: 'internal'; replayOf: string; correlationId: string },
) => Promise<RpcResult<unknown>>;

/**
 * Debug mode's memory of channel calls: each one recorded (secrets redacted before storage,
 * long outputs cut), listed, and replayed with a structural diff against what it returned
 * then. Also the run-time log levels.
 */
export class DebugService {
  constructor(
    private readonly d: {
      recordings: RecordingRepository;
      logger: Logger;
      invoke: Invoke;
      /** Whether debug mode is on (calls are recorded only then). */
      enabled: () => boolean;
    },
  ) {}

  /** Every finished call: recorded while debug mode is on (a failure is logged, not thrown). */
  onCall(call: RecordedCall): void {
    if (!this.d.enabled()) return;
    this.record(call).catch((err: unknown) =>
      this.d.logger.warn({ err, channel: call.channel }, 'recording a call failed'),
    );
  }

  /**
   * Stores one call. Debug channels are not recorded: the Debug page's own polling would
   * drown the calls one came to look at (a replay is recorded, under its channel).
   */
  async record(call: RecordedCall): Promise<void> {
    if (call.channel.startsWith('debug.')) return;
    const output = call.result.ok ? call.result.data : call.result.error;
    let text = JSON.stringify(redactSecrets(output) ?? null);
    const truncated = text.length > MAX_RECORDED_OUTPUT;
    if (truncated) {
      text = `${text.slice(0, MAX_RECORDED_OUTPUT)}… [truncated: ${text.length} characters in all]`;
    }
    await this.d.recordings.insert({
      at: new Date().toISOString(),
      channel: call.channel,
      transport: call.transport,
      input: JSON.stringify(redactSecrets(call.input ?? {})),
      output: text,
      truncated,
      ok: call.result.ok,
      code: call.result.ok ? null : call.result.error.code,
      durationMs: call.durationMs,
      correlationId: call.correlationId,
      replayOf: call.replayOf ?? null,
    });
  }

  list(f: { channel?: string; limit?: number }): Promise<DebugRecording[]> {
    return this.d.recordings.list(f);
  }

  async get(id: string): Promise<DebugRecording> {
    const rec = await this.d.recordings.get(id);
    if (!rec) throw new AppError('not_found', `No recording with id "${id}"`);
    return rec;
  }

  async clear(): Promise<{ cleared: number }> {
    return { cleared: await this.d.recordings.clear() };
  }

  /**
   * Runs a recorded call again with its recorded input and compares the outputs. A channel
   * that changes data runs only with `confirm`; the replay's own recording names the
   * original's correlation id.
   */
  async replay(id: string, confirm = false): Promise<ReplayResult> {
    const rec = await this.get(id);
    if (!READ_ONLY_CHANNELS.has(rec.channel as ChannelName) && !confirm) {
      throw new AppError(
        'invalid_input',
        `${rec.channel} changes data: replaying it runs it again. Send confirm: true to do so.`,
        [{ path: ['confirm'], message: 'Confirm replaying a call that changes data' }],
      );
    }
    if (!READ_ONLY_CHANNELS.has(rec.channel as ChannelName) && hasRedacted(rec.input)) {
      throw new AppError(
        'invalid_input',
        `The recorded input of ${rec.channel} held secrets, which are never kept: replaying it would save "[REDACTED]" in their place.`,
        [{ path: ['id'], message: 'This call cannot be replayed' }],
      );
    }
    const correlationId = randomUUID();
    const result = await this.d.invoke(rec.channel, rec.input, {
      transport: 'internal',
      replayOf: rec.correlationId,
      correlationId,
    });
    const output = redactSecrets(result.ok ? result.data : result.error);
    const now = JSON.parse(JSON.stringify(output)) as unknown;
    const diff = rec.truncated ? [] : jsonDiff(rec.output, now, volatileFor(rec.channel));
    return {
      output,
      matches: !rec.truncated && diff.length === 0,
      diff,
      correlationId,
    };
  }

  /** Sets the root's or one module's level (when given); the levels in effect after. */
  logLevel(input: { level?: string; module?: string }): LogLevels {
    let previous: string | undefined;
    if (input.level) {
      previous = setLogLevel(this.d.logger, input.level, input.module);
      this.d.logger.info(
        { module: 'debug', target: input.module ?? 'root', to: input.level, previous },
        'log level changed',
      );
    }
    return { ...logLevels(this.d.logger), ...(previous !== undefined && { previous }) };
  }
}

/** Whether a recorded input had a secret taken out of it. */
function hasRedacted(input: unknown): boolean {
  return JSON.stringify(input ?? null).includes(JSON.stringify(REDACTED));
}
