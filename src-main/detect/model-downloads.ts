import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Job, ModelChoice } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { JobRepository, JobService } from '../jobs';
import { sha256File } from './model-fetch';
import type { ModelEntry } from './models';

export const MODEL_DOWNLOAD_JOB = 'model-download';
const PROGRESS_EVERY_MS = 250;

interface DownloadParams {
  name: string;
}

/**
 * The manifest's models as choices, and downloading one as a job: into `<data dir>/models`,
 * through a `.part` file that a later try continues (an HTTP Range request), its size and
 * sha256 checked before it takes its name. A wrong checksum deletes the file; a lost
 * connection keeps what arrived for the next try.
 */
export class ModelDownloads {
  constructor(
    private readonly d: {
      manifest: ModelEntry[];
      userModelsDir: string;
      appModelsDir: string;
      /** The model the detector is set to use (settings `detector.model`). */
      activeModel: () => string;
      jobs: JobRepository;
      jobService: JobService;
    },
  ) {}

  list(): ModelChoice[] {
    return this.d.manifest.map((m) => ({
      name: m.name,
      family: m.family,
      file: m.file,
      bytes: m.bytes ?? null,
      licence: m.licence ?? null,
      default: m.default ?? false,
      downloadable: Boolean(m.url),
      installed: [this.d.userModelsDir, this.d.appModelsDir].some((dir) =>
        fs.existsSync(path.join(dir, m.file)),
      ),
      active: m.name === this.d.activeModel(),
    }));
  }

  async download(name: string): Promise<Job> {
    const entry = this.d.manifest.find((m) => m.name === name);
    if (!entry) throw new AppError('not_found', `No model named "${name}" in the manifest`);
    if (!entry.url) {
      throw new AppError(
        'invalid_input',
        `${name} has no download address: place ${entry.file} in ${this.d.userModelsDir}, or choose a model file`,
      );
    }
    const running = (await this.d.jobs.unfinished<DownloadParams>(MODEL_DOWNLOAD_JOB)).find(
      (j) => j.params.name === name,
    );
    if (running) throw new AppError('conflict', `${name} is already downloading`);
    const job = await this.d.jobs.create<DownloadParams>(
      MODEL_DOWNLOAD_JOB,
      { name },
      entry.bytes ?? 0,
    );
    this.d.jobService.run(job.id, (signal) => this.work(job.id, entry, signal));
    return job;
  }

  private async work(jobId: string, entry: ModelEntry, signal: AbortSignal): Promise<void> {
    fs.mkdirSync(this.d.userModelsDir, { recursive: true });
    const target = path.join(this.d.userModelsDir, entry.file);
    const part = `${target}.part`;
    let received = fs.existsSync(part) ? fs.statSync(part).size : 0;
    let res: Response;
    try {
      res = await fetch(entry.url!, {
        redirect: 'follow',
        signal,
        headers: received > 0 ? { range: `bytes=${received}-` } : {},
      });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      if (signal.aborted) return;
      throw unreachable(entry, err);
    }
    // A server that ignores the range sends it all again.
    if (received > 0 && res.status !== 206) received = 0;
    const total = entry.bytes ?? (Number(res.headers.get('content-length')) || 0) + received;
    let reportedAt = 0;
    const body = Readable.fromWeb(res.body as WebReadableStream);
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      const now = Date.now();
      if (now - reportedAt < PROGRESS_EVERY_MS) return;
      reportedAt = now;
      this.advance(jobId, entry.name, received, total);
      void this.d.jobService.progressed(jobId);
    });
    const out = fs.createWriteStream(part, { flags: received > 0 ? 'a' : 'w' });
    try {
      await pipeline(body, out, { signal });
    } catch (err) {
      // A write still under way lands before the job ends: the next try starts after it.
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      if (signal.aborted) return; // cancelled: what arrived stays for the next try
      throw unreachable(entry, err);
    }
    const size = fs.statSync(part).size;
    if (entry.bytes && size !== entry.bytes) {
      await fsp.rm(part, { force: true });
      throw new Error(`${entry.name} arrived with ${size} bytes, not ${entry.bytes}; deleted`);
    }
    const digest = await sha256File(part);
    if (entry.sha256 && digest !== entry.sha256) {
      await fsp.rm(part, { force: true });
      throw new Error(
        `${entry.name} failed its checksum (sha256 ${digest}, expected ${entry.sha256}); deleted`,
      );
    }
    await fsp.rename(part, target);
    this.advance(jobId, entry.name, size, size);
  }

  private advance(jobId: string, name: string, received: number, total: number): void {
    const progress = total > 0 ? Math.min(100, Math.floor((received / total) * 100)) : 0;
    this.d.jobs.advanceInTx(jobId, received, progress, { name }, { bytes: received });
  }
}

function unreachable(entry: ModelEntry, err: unknown): Error {
  const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
  return new Error(
    `Could not download ${entry.name} from ${entry.url} (${cause}). Check the internet ` +
      'connection and try again (what arrived is kept), or choose a model file you already have.',
  );
}
