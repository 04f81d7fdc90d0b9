import { createLogger } from '../../src-main/system/logger';

export interface LogLine {
  level: number;
  msg: string;
  correlationId?: string;
  err?: { stack?: string; message?: string };
  [key: string]: unknown;
}

/** A logger that keeps every line (debug and up) as the `logs` table would get it. */
export function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    stderr: false,
    sinkLevel: 'debug',
    sink: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines };
}
