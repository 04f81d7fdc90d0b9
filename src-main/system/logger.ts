import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level?: string;
  /** Also write records at this level and above here (the `logs` table sink). */
  sink?: { write(line: string): void };
  sinkLevel?: pino.Level;
  /** Write to stderr (default true). */
  stderr?: boolean;
}

/** Structured logs (pino) as JSON on stderr. Secrets never reach here: log ids, not configs. */
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
      redact: {
        paths: ['*.password', '*.apiKey', '*.token', '*.secret', 'password', 'apiKey', 'token'],
        censor: '[REDACTED]',
      },
    },
    pino.multistream(streams),
  );
}
