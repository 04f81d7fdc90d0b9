/**
 * Faults a camera or the disk can throw at the app, each ending in a clear state with a reason
 * a person can act on, the app still serving, and nothing else lost: odd snapshot files
 * (zero bytes, a PNG named .jpg, a decompression bomb that claims 2.5 billion pixels in a few
 * hundred bytes, a 50 MB file), and the database held by another writer past the busy timeout.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { jpeg, png } from '../helpers/images';
import { startIngestApp, writeAtomically } from '../helpers/ingest-app';
import type { ScenarioOutcome } from '../helpers/reliability-report';
import { report } from '../helpers/reliability-report';
import type { TestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const scenarios: ScenarioOutcome[] = [];
afterAll(() => report('faults', { scenarios, faultsInjected: scenarios.length }));

/** A PNG whose header claims width × height, with one tiny compressed row: a bomb. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(1 + width))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('faults', () => {
  it('odd snapshots: each processed or quarantined with its reason, and the next good one still processed', async () => {
    t = await startIngestApp({ settings: { ingest: { minBytes: 0 } } });
    await t.call('cameras.create', { name: 'Drive' });
    const folder = path.join(t.dataDir, 'ingest', 'drive');
    const good = await jpeg(160, 120, 7);
    const files: Record<string, Buffer> = {
      'zero.jpg': Buffer.alloc(0),
      'png-named.jpg': await png(160, 120),
      'bomb.jpg': pngBomb(50_000, 50_000),
      // A real JPEG followed by 50 MB of padding: the decoder stops at its end marker.
      'fifty-mb.jpg': Buffer.concat([good, Buffer.alloc(50 * 2 ** 20, 0)]),
    };
    for (const [name, bytes] of Object.entries(files))
      writeAtomically(path.join(folder, name), bytes);
    const status = () => t!.call('ingest.status', {});
    await expect
      .poll(() => status().then((s) => s.quarantined + s.processed), { timeout: 20_000 })
      .toBe(4);
    writeAtomically(path.join(folder, 'after.jpg'), await jpeg(160, 120, 9));
    await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(3);

    const quarantined = new Map(
      (await t.call('ingest.quarantine.list', { cameraId: 'drive' })).map((q) => [
        path.basename(q.path),
        q.reason,
      ]),
    );
    // Zero bytes and the bomb are refused with a reason; the PNG and the padded JPEG decode.
    expect(quarantined.get('zero.jpg')).toMatch(/empty|too small|does not decode/);
    expect(quarantined.get('bomb.jpg')).toMatch(/pixel|large|does not decode/i);
    expect([...quarantined.keys()].sort()).toEqual(['bomb.jpg', 'zero.jpg']);
    for (const [name, reason] of quarantined) {
      scenarios.push({ name: `snapshot ${name}`, ok: true, detail: `quarantined: ${reason}` });
    }
    scenarios.push(
      { name: 'snapshot png-named.jpg', ok: true, detail: 'processed' },
      { name: 'snapshot fifty-mb.jpg', ok: true, detail: 'processed' },
    );
  });

  it('a second writer holding the database past the busy timeout: unavailable, nothing half-written, then it works', async () => {
    t = await startIngestApp();
    await t.call('cameras.create', { name: 'Shed' });
    const other = new Database(path.join(t.dataDir, 'hsi.sqlite'));
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    let error: Error | undefined;
    try {
      await t.call('cameras.create', { name: 'Barn' });
    } catch (err) {
      error = err as Error;
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const waitedMs = performance.now() - started;
    expect(error?.message).toMatch(/unavailable The database is busy; try again/);
    // Nothing half-written: the camera is not there, and the call works once the lock is gone.
    expect((await t.call('cameras.list', {})).map((c) => c.name)).toEqual(['Shed']);
    await t.call('cameras.create', { name: 'Barn' });
    expect((await t.call('cameras.list', {})).map((c) => c.name).sort()).toEqual(['Barn', 'Shed']);
    expect(fs.existsSync(path.join(t.dataDir, 'hsi.sqlite'))).toBe(true);
    scenarios.push({
      name: 'database busy past the busy timeout',
      ok: true,
      detail: `unavailable after ${Math.round(waitedMs)} ms, then the call succeeded`,
    });
  });
});
