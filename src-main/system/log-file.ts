import fs from 'node:fs';
import path from 'node:path';

/**
 * Log lines appended to `dir/hsi.log`, rotated by size: past `maxBytes` the file becomes
 * `hsi.log.1` (older ones shift up) and at most `keep` old files stay. Writes are
 * synchronous, like pino's stderr destination, so nothing is lost on a crash.
 */
export class RotatingLogFile {
  private fd: number | undefined;
  private size = 0;
  readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly maxBytes = 10 * 2 ** 20,
    private readonly keep = 5,
  ) {
    this.file = path.join(dir, 'hsi.log');
  }

  write(line: string): void {
    try {
      if (this.fd === undefined) this.open();
      const bytes = Buffer.byteLength(line);
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      fs.writeSync(this.fd!, line);
      this.size += bytes;
    } catch {
      // A full or read-only disk must not take the app down: stderr and the table remain.
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
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
