import fs from 'node:fs';
import path from 'node:path';

/** Lines held while the file cannot be written (a full disk), at most this many bytes. */
const HOLD_BYTES = 2 ** 20;

/** What stops a write, in words. */
function describe(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EROFS':
      return 'the disk is read-only (EROFS)';
    case 'EACCES':
    case 'EPERM':
      return `it may not be written to (${err.code})`;
    default:
      return err.code ?? err.message;
  }
}

/**
 * Log lines appended to `dir/hsi.log`, rotated by size: past `maxBytes` the file becomes
 * `hsi.log.1` (older ones shift up) and at most `keep` old files stay. Writes are
 * synchronous, like pino's stderr destination, so nothing is lost on a crash.
 *
 * A write that fails (a full disk) never takes the app down: what it half wrote is cut off
 * again (no broken line), the lines are held in memory (up to 1 MiB; stderr and the logs
 * table have them meanwhile) and written, in order, once a write succeeds. `onProblem` hears
 * once when writing stops and once when it works again.
 */
export class RotatingLogFile {
  private fd: number | undefined;
  private size = 0;
  private held: string[] = [];
  private heldBytes = 0;
  private dropped = 0;
  private failing: string | null = null;
  readonly file: string;
  /** Told (outside the write) when the file stops being written and when it works again. */
  onProblem?: (message: string, recovered: boolean) => void;

  constructor(
    private readonly dir: string,
    private readonly maxBytes = 10 * 2 ** 20,
    private readonly keep = 5,
  ) {
    this.file = path.join(dir, 'hsi.log');
  }

  /** Why the file is not being written now, or null. */
  get problem(): string | null {
    return this.failing;
  }

  write(line: string): void {
    if (this.held.length === 0) {
      // The usual case: nothing held back, the line goes straight to the file.
      try {
        this.append(line);
      } catch (err) {
        this.held.push(line);
        this.heldBytes += Buffer.byteLength(line);
        this.hold(err as NodeJS.ErrnoException);
        return;
      }
      if (this.failing !== null) this.recovered();
      return;
    }
    this.held.push(line);
    this.heldBytes += Buffer.byteLength(line);
    try {
      while (this.held.length) {
        this.append(this.held[0]!);
        this.heldBytes -= Buffer.byteLength(this.held.shift()!);
      }
    } catch (err) {
      this.hold(err as NodeJS.ErrnoException);
      return;
    }
    if (this.failing !== null) this.recovered();
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: string): void {
    if (this.fd === undefined) this.open();
    const bytes = Buffer.from(line);
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
    let written = 0;
    try {
      written = fs.writeSync(this.fd!, bytes);
      if (written < bytes.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    } catch (err) {
      // Cut off the part of the line that got written: the file stays whole lines.
      if (written > 0) fs.ftruncateSync(this.fd!, this.size);
      throw err;
    }
    this.size += written;
  }

  private hold(err: NodeJS.ErrnoException): void {
    while (this.heldBytes > HOLD_BYTES && this.held.length > 1) {
      this.heldBytes -= Buffer.byteLength(this.held.shift()!);
      this.dropped += 1;
    }
    if (this.failing !== null) return;
    this.failing = describe(err);
    const message =
      `The log file ${this.file} cannot be written: ${this.failing}. New log lines are held ` +
      'in memory (up to 1 MiB) and still reach the logs table; they are written once there is room';
    this.tell(message, false);
  }

  private recovered(): void {
    const dropped = this.dropped;
    this.failing = null;
    this.dropped = 0;
    const lost = dropped
      ? `; ${dropped} older held line(s) did not fit in memory and are missing`
      : '';
    this.tell(`The log file ${this.file} is written again${lost}`, true);
  }

  private tell(message: string, recovered: boolean): void {
    // Not from inside the logger's own write.
    queueMicrotask(() => this.onProblem?.(message, recovered));
  }

  private open(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    fs.rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i -= 1) {
      if (fs.existsSync(`${this.file}.${i}`))
        fs.renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    }
    fs.renameSync(this.file, `${this.file}.1`);
    this.open();
  }
}
