import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level?: string;
  /** Write to this file instead of stderr. */
  file?: string;
}

/** Structured logs (pino). Secrets never reach here: callers log ids, not configs. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.HSI_LOG_LEVEL ?? 'info';
  const destination = options.file
    ? pino.destination({ dest: options.file, mkdir: true, sync: false })
    : pino.destination(2);
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
    destination,
  );
}
