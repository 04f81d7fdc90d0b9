import pino from 'pino';
import { currentCorrelationId } from '../common/correlation';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level?: string;
  /** Also write records at this level and above here (the `logs` table sink). */
  sink?: { write(line: string): void };
  sinkLevel?: pino.Level;
  /** Write to stderr (default true). */
  stderr?: boolean;
}

/**
 * Structured logs (pino) as JSON on stderr. Secrets never reach here: log ids, not configs.
 * Every line carries the correlation id of the work it belongs to (a channel call, or an
 * ingested image on its way to an event, alerts and deliveries).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.HSI_LOG_LEVEL ?? 'info';
  const streams: pino.StreamEntry[] = [];
  if (options.stderr !== false) streams.push({ level: 'trace', stream: pino.destination(2) });
  if (options.sink) streams.push({ level: options.sinkLevel ?? 'info', stream: options.sink });
  return pino(
    {
      level,
      base: undefined,
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
}
