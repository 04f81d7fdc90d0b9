import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ModelEntry } from './models';

export interface FetchOutcome {
  name: string;
  status: 'present' | 'downloaded' | 'skipped' | 'failed';
  detail: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Downloads each manifest model that has a URL into `dir`, checking size and sha256 before
 * the file takes its final name; a file already present with the right hash is kept.
 */
export async function fetchModels(
  entries: ModelEntry[],
  dir: string,
  onProgress?: (name: string, received: number, total: number | undefined) => void,
): Promise<FetchOutcome[]> {
  fs.mkdirSync(dir, { recursive: true });
  const outcomes: FetchOutcome[] = [];
  for (const entry of entries) {
    const target = path.join(dir, entry.file);
    if (fs.existsSync(target) && entry.sha256 && (await sha256File(target)) === entry.sha256) {
      outcomes.push({ name: entry.name, status: 'present', detail: target });
      continue;
    }
    if (!entry.url) {
      outcomes.push({
        name: entry.name,
        status: 'skipped',
        detail: `no download address; place ${entry.file} in ${dir} yourself`,
      });
      continue;
    }
    const part = `${target}.part`;
    try {
      const res = await fetch(entry.url, { redirect: 'follow' });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} from ${entry.url}`);
      const total = Number(res.headers.get('content-length')) || entry.bytes;
      const hash = createHash('sha256');
      let received = 0;
      const body = Readable.fromWeb(res.body as WebReadableStream);
      body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
        onProgress?.(entry.name, received, total);
      });
      await pipeline(body, fs.createWriteStream(part));
      const digest = hash.digest('hex');
      if (entry.bytes !== undefined && received !== entry.bytes) {
        throw new Error(`size ${received} bytes, expected ${entry.bytes}`);
      }
      if (entry.sha256 && digest !== entry.sha256) {
        throw new Error(`sha256 ${digest} does not match the manifest's ${entry.sha256}`);
      }
      fs.renameSync(part, target);
      outcomes.push({ name: entry.name, status: 'downloaded', detail: target });
    } catch (err) {
      fs.rmSync(part, { force: true });
      outcomes.push({ name: entry.name, status: 'failed', detail: (err as Error).message });
    }
  }
  return outcomes;
}
