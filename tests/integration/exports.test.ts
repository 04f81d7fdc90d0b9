import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src-shared/contract';
import type { ExportJob, SecurityEvent } from '../../src-shared/domain';
import { EVENT_COLUMNS } from '../../src-main/exports/export-formats';
import { partialPath } from '../../src-main/exports/export-service';
import { newId, nowIso } from '../../src-main/common/ids';
import { startWebServer } from '../../src-main/web/server';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import { jpeg } from '../helpers/images';
import { request } from '../helpers/http';
import { startServe } from '../helpers/serve-process';

const HEADERS = EVENT_COLUMNS.map((c) => c.header);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function app(config: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const t = await startTestApp(config);
  cleanups.push(() => t.close());
  return t;
}

async function withCameras(t: TestApp): Promise<void> {
  for (const c of SEED_CAMERAS) await t.call('cameras.create', { name: c.name });
}

/** Resolves with the job once it reaches one of `statuses` (push first, then a read). */
function waitForJob(
  t: TestApp,
  id: string,
  statuses: ExportJob['status'][] = ['completed', 'failed', 'cancelled'],
  timeoutMs = 60_000,
): Promise<ExportJob> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`export ${id} did not reach ${statuses.join('/')}`));
    }, timeoutMs);
    const done = (job: ExportJob) => {
      clearTimeout(timer);
      off();
      resolve(job);
    };
    const off = t.app.push.subscribe((m) => {
      if (m.type === 'export.progress' && m.data.id === id && statuses.includes(m.data.status)) {
        done(m.data);
      }
    });
    void t.call('exports.get', { id }).then((job) => {
      if (statuses.includes(job.status)) done(job);
    });
  });
}

async function exportFile(
  t: TestApp,
  format: ExportJob['format'],
  filters: EventFilter = {},
  includeImages?: boolean,
): Promise<{ job: ExportJob; file: string; bytes: Buffer }> {
  const created = await t.call('exports.create', { format, filters, includeImages });
  const job = await waitForJob(t, created.id);
  expect(job.status, job.error ?? '').toBe('completed');
  const info = await t.app.exports.downloadInfo(job.id);
  const bytes = fs.readFileSync(info.path);
  return { job, file: info.path, bytes };
}

/** Every event the timeline shows for a filter, newest first (the API as the oracle). */
async function listAll(t: TestApp, filter: EventFilter): Promise<SecurityEvent[]> {
  const out: SecurityEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await t.call('events.list', { ...filter, limit: 500, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

function csvRows(bytes: Buffer): string[][] {
  expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  const rows: string[][] = parseCsv(bytes, { bom: true, relax_column_count: false });
  return rows;
}

function unzip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Buffer>();
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** One hand-made event (with detections) so cell contents can be checked exactly. */
async function insertEvent(
  t: TestApp,
  e: {
    cameraId: string;
    startedAt: string;
    summary: string;
    reasoning?: string;
    riskScore?: number;
    riskLevel?: SecurityEvent['riskLevel'];
    classes?: string[];
    reviewed?: boolean;
    images?: string[];
  },
): Promise<string> {
  const id = newId();
  const now = nowIso();
  await t.app.db
    .insertInto('events')
    .values({
      id,
      batch_id: newId(),
      camera_id: e.cameraId,
      started_at: e.startedAt,
      ended_at: e.startedAt,
      risk_score: e.riskScore ?? 50,
      raw_risk_score: e.riskScore ?? 50,
      risk_level: e.riskLevel ?? 'medium',
      summary: e.summary,
      reasoning: e.reasoning ?? 'because',
      scorer: 'rules',
      object_classes: (e.classes ?? ['person']).join(' '),
      detection_count: e.images?.length ?? 0,
      is_fast_path: 0,
      reviewed: e.reviewed ? 1 : 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const [i, image] of (e.images ?? []).entries()) {
    const detectionId = newId();
    const queued = await t.app.db
      .insertInto('ingest_queue')
      .values({
        camera_id: e.cameraId,
        path: image,
        source: 'folder',
        status: 'done',
        enqueued_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.app.db
      .insertInto('detections')
      .values({
        id: detectionId,
        camera_id: e.cameraId,
        image_path: image,
        detected_at: e.startedAt,
        object_class: 'person',
        confidence: 0.9 - i * 0.1,
        x1: 0.1,
        y1: 0.2,
        x2: 0.3,
        y2: 0.9,
        image_id: queued.id,
        created_at: now,
      })
      .execute();
    await t.app.db
      .insertInto('event_detections')
      .values({ event_id: id, detection_id: detectionId, created_at: now })
      .execute();
  }
  return id;
}

describe('exports: formats', () => {
  it('CSV has the columns, every matching event in timeline order, a sha256 and a size', async () => {
    const t = await app();
    await withCameras(t);
    seedEvents(t.dataDir, 700, { reviewedEvery: 3 });
    const { job, bytes } = await exportFile(t, 'csv');
    const rows = csvRows(bytes);
    expect(rows[0]).toEqual(HEADERS);
    const events = await listAll(t, {});
    expect(rows.slice(1).map((r) => r[0])).toEqual(events.map((e) => e.id));
    const sample = events[123]!;
    const row = rows[124]!;
    expect(row).toEqual([
      sample.id,
      sample.cameraName,
      sample.startedAt,
      sample.endedAt,
      String(sample.riskScore),
      sample.riskLevel,
      sample.summary,
      String(sample.detectionCount),
      sample.reviewed ? 'Yes' : 'No',
      sample.objectClasses.join(', '),
      sample.reasoning,
    ]);
    expect(job.rowCount).toBe(700);
    expect(job.progress).toBe(100);
    expect(job.fileSize).toBe(bytes.length);
    expect(job.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(job.fileName).toMatch(/^events_\d{8}_\d{6}_[0-9a-z]{8}\.csv$/);
    const info = await t.call('exports.downloadInfo', { id: job.id });
    expect(info).toEqual({
      fileName: job.fileName,
      fileSize: bytes.length,
      contentType: 'text/csv; charset=utf-8',
      sha256: job.sha256,
    });
  });

  it('escapes formula cells in CSV and XLSX, and keeps quotes, commas and newlines intact', async () => {
    const t = await app();
    const camera = await t.call('cameras.create', { name: '=cmd|calc' });
    const nasty = [
      '=HYPERLINK("http://x","click")',
      '+1+2',
      '-3',
      '@SUM(A1)',
      '\tTabbed',
      '\rReturn',
      'Plain, with "quotes"\nand a newline',
      'Ünïcödé 🚪 door',
    ];
    for (const [i, summary] of nasty.entries()) {
      await insertEvent(t, {
        cameraId: camera.id,
        startedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        summary,
        reasoning: i === 0 ? '=1+1' : 'ok',
      });
    }
    const rows = csvRows((await exportFile(t, 'csv')).bytes)
      .slice(1)
      .reverse();
    const expected = nasty.map((s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s));
    expect(rows.map((r) => r[6])).toEqual(expected);
    expect(rows.every((r) => r[1] === "'=cmd|calc")).toBe(true);
    expect(rows[0]![10]).toBe("'=1+1");

    const { file } = await exportFile(t, 'xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('Events')!;
    const summaries: unknown[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) summaries.push(row.getCell(7).value);
    });
    // XML normalises a bare CR to LF when the sheet is read; the apostrophe is what matters.
    expect(summaries.reverse()).toEqual(expected.map((s) => s.replace('\r', '\n')));
    expect(sheet.getRow(2).getCell(2).value).toBe("'=cmd|calc");
  });

  it('JSON is one valid array of events with the API fields', async () => {
    const t = await app();
    await withCameras(t);
    seedEvents(t.dataDir, 300);
    const { bytes } = await exportFile(t, 'json');
    const parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>[];
    const events = await listAll(t, {});
    expect(parsed).toHaveLength(300);
    expect(parsed.map((e) => e.id)).toEqual(events.map((e) => e.id));
    const e = events[42]!;
    expect(parsed[42]).toEqual({
      id: e.id,
      cameraId: e.cameraId,
      cameraName: e.cameraName,
      startedAt: e.startedAt,
      endedAt: e.endedAt,
      riskScore: e.riskScore,
      riskLevel: e.riskLevel,
      summary: e.summary,
      reasoning: e.reasoning,
      objectClasses: e.objectClasses,
      detectionCount: e.detectionCount,
      reviewed: e.reviewed,
      falsePositive: e.falsePositive,
      notes: e.notes,
      scorer: e.scorer,
      model: e.model,
    });
  });

  it('XLSX has the Events sheet, a styled frozen header and one row per event', async () => {
    const t = await app();
    await withCameras(t);
    seedEvents(t.dataDir, 250);
    const { file } = await exportFile(t, 'xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('Events')!;
    expect(sheet).toBeDefined();
    expect(sheet.rowCount).toBe(251);
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    const headerCell = sheet.getRow(1).getCell(1);
    expect(headerCell.font?.bold).toBe(true);
    expect(headerCell.fill).toMatchObject({ fgColor: { argb: 'FF4472C4' } });
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const events = await listAll(t, {});
    const ids: unknown[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) ids.push(row.getCell(1).value);
    });
    expect(ids).toEqual(events.map((e) => e.id));
    expect(sheet.getRow(2).getCell(5).value).toBe(events[0]!.riskScore);
  });

  it('ZIP holds events.csv, detections.json, the snapshots and a manifest naming a missing one', async () => {
    const t = await app();
    const camera = await t.call('cameras.create', { name: 'Front Door' });
    fs.mkdirSync(camera.folder, { recursive: true });
    const a = path.join(camera.folder, 'a.jpg');
    const b = path.join(camera.folder, 'b.jpg');
    fs.writeFileSync(a, await jpeg(64, 48, 1));
    fs.writeFileSync(b, await jpeg(64, 48, 2));
    const gone = path.join(camera.folder, 'gone.jpg');
    const outside = path.join(tempDir(), 'secret.jpg');
    fs.writeFileSync(outside, await jpeg(8, 8, 3));
    const e1 = await insertEvent(t, {
      cameraId: camera.id,
      startedAt: '2026-02-01T10:00:00.000Z',
      summary: 'Person at the door',
      images: [a, b],
    });
    await insertEvent(t, {
      cameraId: camera.id,
      startedAt: '2026-02-01T11:00:00.000Z',
      summary: 'Person again',
      images: [gone, outside],
    });
    const imageIds = new Map(
      (await t.app.db.selectFrom('ingest_queue').select(['id', 'path']).execute()).map((r) => [
        path.basename(r.path),
        r.id,
      ]),
    );
    const zipName = (base: string) => `images/${camera.id}/${imageIds.get(base)}_${base}`;
    const { job, file } = await exportFile(t, 'zip');
    expect(job.total).toBe(6);
    const entries = await unzip(file);
    expect([...entries.keys()].sort()).toEqual(
      ['events.csv', 'detections.json', zipName('a.jpg'), zipName('b.jpg'), 'manifest.json'].sort(),
    );
    const csv = csvRows(entries.get('events.csv')!);
    expect(csv).toHaveLength(3);
    const detections = JSON.parse(entries.get('detections.json')!.toString()) as {
      eventId: string;
      imageFile: string;
      bbox: object;
    }[];
    expect(detections).toHaveLength(4);
    expect(detections.filter((d) => d.eventId === e1).map((d) => d.imageFile)).toEqual([
      zipName('a.jpg'),
      zipName('b.jpg'),
    ]);
    expect(entries.get(zipName('a.jpg'))).toEqual(fs.readFileSync(a));
    expect(entries.get(zipName('b.jpg'))).toEqual(fs.readFileSync(b));
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({ events: 2, detections: 4, images: 2 });
    // A file that vanished, and one outside the camera folders, are named, never included.
    expect((manifest.missingImages as string[]).sort()).toEqual(
      [zipName('gone.jpg'), zipName('secret.jpg')].sort(),
    );

    const bare = await exportFile(t, 'zip', {}, false);
    expect(bare.job.total).toBe(4);
    const bareEntries = await unzip(bare.file);
    expect([...bareEntries.keys()].sort()).toEqual(
      ['detections.json', 'events.csv', 'manifest.json'].sort(),
    );
  });
});

describe('exports: filters', () => {
  it('exports exactly what the timeline shows for each filter; no match gives headers only', async () => {
    const t = await app();
    await withCameras(t);
    seedEvents(t.dataDir, 1500, { reviewedEvery: 4 });
    const filters: EventFilter[] = [
      { cameraIds: [SEED_CAMERAS[0]!.id] },
      { riskLevels: ['high', 'critical'] },
      { from: '2026-01-10T00:00:00.000Z', to: '2026-01-20T00:00:00.000Z' },
      { reviewed: true },
      { q: 'person' },
      { q: 'driveway', riskLevels: ['low'], reviewed: false },
    ];
    for (const filter of filters) {
      const expected = (await listAll(t, filter)).map((e) => e.id);
      expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
      const rows = csvRows((await exportFile(t, 'csv', filter)).bytes);
      expect(
        rows.slice(1).map((r) => r[0]),
        JSON.stringify(filter),
      ).toEqual(expected);
    }
    const none = await exportFile(t, 'csv', { q: 'zzzznomatch' });
    expect(csvRows(none.bytes)).toEqual([HEADERS]);
    expect(none.job.rowCount).toBe(0);
    const emptyJson = await exportFile(t, 'json', { cameraIds: ['no-such-camera'] });
    expect(JSON.parse(emptyJson.bytes.toString())).toEqual([]);
  });

  it('refuses a malformed search and bad input with invalid_input, creating no job', async () => {
    const t = await app();
    const bad = await t.raw('exports.create', { format: 'csv', filters: { q: '"unterminated' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_input');
      expect(bad.error.issues?.[0]?.path).toEqual(['q']);
    }
    const format = await t.raw('exports.create', { format: 'pdf', filters: {} });
    expect(!format.ok && format.error.code).toBe('invalid_input');
    expect(await t.call('exports.list', {})).toEqual([]);
    const missing = await t.raw('exports.get', { id: 'nope' });
    expect(!missing.ok && missing.error.code).toBe('not_found');
  });
});

describe('exports: jobs', () => {
  it('cancel stops a running export promptly, removes the partial file and marks it cancelled', async () => {
    const t = await app({ exportChunkSize: 25 });
    await withCameras(t);
    seedEvents(t.dataDir, 6000);
    const progress: ExportJob[] = [];
    t.app.push.subscribe((m) => m.type === 'export.progress' && progress.push(m.data));
    const job = await t.call('exports.create', { format: 'xlsx', filters: {} });
    const dir = t.app.exports.directory();
    await new Promise<void>((resolve) => {
      const off = t.app.push.subscribe((m) => {
        if (m.type === 'export.progress' && m.data.id === job.id && m.data.processed >= 1000) {
          off();
          resolve();
        }
      });
    });
    expect(fs.existsSync(partialPath(dir, job.id))).toBe(true);
    const cancelled = await t.call('exports.cancel', { id: job.id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.progress).toBeLessThan(100);
    expect(fs.readdirSync(dir)).toEqual([]);
    const again = await t.raw('exports.cancel', { id: job.id });
    expect(!again.ok && again.error.code).toBe('conflict');
    const download = await t.raw('exports.downloadInfo', { id: job.id });
    expect(!download.ok && download.error.code).toBe('conflict');
    // Progress went pending → running with totals → rising processed → cancelled.
    const mine = progress.filter((p) => p.id === job.id);
    expect(mine[0]!.status).toBe('pending');
    expect(mine.some((p) => p.status === 'running' && p.total === 6000)).toBe(true);
    expect(mine.at(-1)!.status).toBe('cancelled');
  });

  it('runs exports concurrently up to the limit, queues the rest, and cancels a pending one', async () => {
    const t = await app({ settingsPatch: { exports: { concurrency: 2 } }, exportChunkSize: 100 });
    await withCameras(t);
    seedEvents(t.dataDir, 2000);
    let running = 0;
    let peak = 0;
    const seen = new Map<string, string>();
    t.app.push.subscribe((m) => {
      if (m.type !== 'export.progress') return;
      const before = seen.get(m.data.id);
      if (before !== 'running' && m.data.status === 'running') running++;
      if (before === 'running' && m.data.status !== 'running') running--;
      seen.set(m.data.id, m.data.status);
      peak = Math.max(peak, running);
    });
    const formats = ['csv', 'json', 'xlsx', 'zip', 'csv'] as const;
    const jobs = await Promise.all(
      formats.map((format) => t.call('exports.create', { format, filters: {} })),
    );
    const last = jobs.at(-1)!;
    const pendingCancel = await t.call('exports.cancel', { id: last.id });
    expect(pendingCancel.status).toBe('cancelled');
    const finished = await Promise.all(jobs.slice(0, -1).map((j) => waitForJob(t, j.id)));
    expect(finished.map((j) => j.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
    expect(peak).toBe(2);
    const csv = csvRows(fs.readFileSync((await t.app.exports.downloadInfo(jobs[0]!.id)).path));
    expect(csv).toHaveLength(2001);
    const json = JSON.parse(
      fs.readFileSync((await t.app.exports.downloadInfo(jobs[1]!.id)).path, 'utf8'),
    ) as unknown[];
    expect(json).toHaveLength(2000);
    const listed = await t.call('exports.list', { status: 'completed' });
    expect(listed).toHaveLength(4);
  });

  it('runs each export as a job of the shared runner: listed, cancelled through jobs.cancel, with its history', async () => {
    const t = await app({ settingsPatch: { exports: { concurrency: 1 } }, exportChunkSize: 25 });
    await withCameras(t);
    seedEvents(t.dataDir, 3000);
    const running = await t.call('exports.create', { format: 'xlsx', filters: {} });
    const pending = await t.call('exports.create', { format: 'csv', filters: {} });
    await waitForJob(t, running.id, ['running']);
    const listed = await t.call('jobs.list', { kind: 'export' });
    expect(listed.map((j) => j.id).sort()).toEqual([running.id, pending.id].sort());

    // Cancelled through the runner: the pending one at once, the running one at its next chunk.
    expect(await t.call('jobs.cancel', { id: pending.id })).toMatchObject({ status: 'cancelled' });
    expect(await t.call('exports.get', { id: pending.id })).toMatchObject({ status: 'cancelled' });
    expect(await t.call('jobs.cancel', { id: running.id })).toMatchObject({
      kind: 'export',
      status: 'cancelled',
    });
    expect(await t.call('exports.get', { id: running.id })).toMatchObject({ status: 'cancelled' });
    expect(fs.readdirSync(t.app.exports.directory())).toEqual([]);
    const history = await t.call('jobs.history', { id: running.id });
    expect(history.map((h) => h.status).filter(Boolean)).toEqual(['running', 'cancelled']);

    // One that runs to the end completes on the runner too, with its rows counted.
    const done = await t.call('exports.create', { format: 'csv', filters: {} });
    expect(await waitForJob(t, done.id)).toMatchObject({ status: 'completed' });
    expect(await t.app.jobs.finished(done.id)).toMatchObject({
      kind: 'export',
      status: 'completed',
      progress: 100,
      total: 3000,
    });
  });

  it('a graceful shutdown puts a running export back in the queue; it completes on the next start', async () => {
    const dataDir = tempDir();
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const first = await startTestApp({ dataDir, exportChunkSize: 20 });
    await withCameras(first);
    seedEvents(dataDir, 4000);
    const job = await first.call('exports.create', { format: 'xlsx', filters: {} });
    await waitForJob(first, job.id, ['running']);
    await first.app.close();
    const second = await startTestApp({ dataDir });
    cleanups.push(() => second.app.close());
    const done = await waitForJob(second, job.id);
    expect(done.status).toBe('completed');
    expect(done.rowCount).toBe(4000);
    // The runner's record followed it: waiting again after the shutdown, then completed.
    expect(await second.app.jobs.finished(job.id)).toMatchObject({ status: 'completed' });
    const statuses = (await second.call('jobs.history', { id: job.id })).flatMap((h) =>
      h.status ? [h.status] : [],
    );
    expect(statuses).toEqual(['running', 'pending', 'running', 'completed']);
  });

  it('deletes finished exports after the retention period', async () => {
    const t = await app({ settingsPatch: { exports: { retentionDays: 2 } } });
    await withCameras(t);
    seedEvents(t.dataDir, 50);
    const { job, file } = await exportFile(t, 'csv');
    expect(await t.app.exports.sweep(Date.now() + 86400_000)).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
    expect(await t.app.exports.sweep(Date.now() + 3 * 86400_000)).toBe(1);
    expect(fs.existsSync(file)).toBe(false);
    const gone = await t.raw('exports.get', { id: job.id });
    expect(!gone.ok && gone.error.code).toBe('not_found');
  });
});

describe('exports: failures', () => {
  function mountTmpfs(options: string): string | null {
    const dir = tempDir('hsi-mnt-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      fs.rmSync(dir, { recursive: true, force: true });
      return null;
    }
    cleanups.push(() => {
      execFileSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return dir;
  }

  it('a full disk fails the job with a message a person understands and leaves no partial file', async () => {
    const small = process.env.HSI_TEST_NO_MOUNT ? null : mountTmpfs('size=64k');
    const t = await app({ exportChunkSize: 200 });
    await withCameras(t);
    seedEvents(t.dataDir, 3000);
    let dir: string;
    let jobId: string;
    if (small) {
      dir = small;
      await t.call('system.settings.update', { exports: { directory: dir } });
      jobId = (await t.call('exports.create', { format: 'csv', filters: {} })).id;
    } else {
      // No mount permission: write through /dev/full, which answers every write with ENOSPC.
      dir = tempDir();
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      await t.call('system.settings.update', { exports: { directory: dir, concurrency: 1 } });
      const blocker = await t.call('exports.create', { format: 'xlsx', filters: {} });
      jobId = (await t.call('exports.create', { format: 'csv', filters: {} })).id;
      fs.symlinkSync('/dev/full', partialPath(dir, jobId));
      await t.call('exports.cancel', { id: blocker.id });
    }
    const job = { id: jobId };
    const failed = await waitForJob(t, job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /^The disk is full: there was no room left to write the export in /,
    );
    expect(failed.fileName).toBeNull();
    expect(fs.readdirSync(dir).filter((f) => !f.startsWith('lost+found'))).toEqual([]);
    // The app carries on: a smaller export into a folder with room succeeds.
    await t.call('system.settings.update', { exports: { directory: '' } });
    const ok = await exportFile(t, 'csv', { cameraIds: [SEED_CAMERAS[7]!.id] });
    expect(ok.job.rowCount).toBeGreaterThan(0);
  });

  it('an unwritable export folder fails the job with what to do about it', async () => {
    const t = await app();
    await withCameras(t);
    seedEvents(t.dataDir, 10);
    await t.call('system.settings.update', { exports: { directory: '/dev/null/exports' } });
    const job = await t.call('exports.create', { format: 'csv', filters: {} });
    const failed = await waitForJob(t, job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('The export folder /dev/null/exports');
    expect(failed.error).toContain('Choose another export folder in Settings');
    const readOnly = mountTmpfs('size=1m,ro');
    if (readOnly) {
      await t.call('system.settings.update', { exports: { directory: readOnly } });
      const again = await waitForJob(
        t,
        (await t.call('exports.create', { format: 'json', filters: {} })).id,
      );
      expect(again.error).toMatch(/cannot be written to \(EROFS\)/);
    }
  });

  it('a crash mid-export marks the job failed (interrupted) on restart, removes the partial file, and resumes pending jobs', async () => {
    const dataDir = tempDir();
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const setup = await startTestApp({
      dataDir,
      settingsPatch: { exports: { concurrency: 1 } },
    });
    await withCameras(setup);
    await setup.app.close();
    seedEvents(dataDir, 40_000);

    const serve = await startServe(['--data-dir', dataDir, '--port', '0']);
    const rpc = async (channel: string, input: unknown) => {
      const r = await request(`${serve.url}/api/rpc/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return r.json<{ ok: boolean; data: ExportJob }>().data;
    };
    const running = await rpc('exports.create', { format: 'xlsx', filters: {} });
    const pending = await rpc('exports.create', { format: 'csv', filters: {} });
    const partial = partialPath(path.join(dataDir, 'exports'), running.id);
    const deadline = Date.now() + 30_000;
    while (!(fs.existsSync(partial) && fs.statSync(partial).size > 0)) {
      if (Date.now() > deadline) throw new Error(`export never started:\n${serve.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    serve.child.kill('SIGKILL');
    await new Promise((r) => serve.child.once('exit', r));
    expect(fs.existsSync(partial)).toBe(true);

    const t = await startTestApp({ dataDir });
    cleanups.push(() => t.app.close());
    const interrupted = await t.call('exports.get', { id: running.id });
    expect(interrupted.status).toBe('failed');
    expect(interrupted.error).toMatch(/^Interrupted/);
    expect(fs.existsSync(partial)).toBe(false);
    const resumed = await waitForJob(t, pending.id);
    expect(resumed.status).toBe('completed');
    expect(resumed.rowCount).toBe(40_000);
  });
});

describe('exports: download over HTTP', () => {
  it('streams the finished file with its name and type; refuses unfinished, unknown and unauthorised', async () => {
    const t = await app();
    await withCameras(t);
    seedEvents(t.dataDir, 120);
    const server = await startWebServer(t.app, { port: 0, token: 'tok' });
    cleanups.push(() => server.close());
    const { job, bytes } = await exportFile(t, 'csv');
    const res = await fetch(`${server.url}/api/exports/${job.id}/download?token=tok`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain(`filename="${job.fileName}"`);
    expect(res.headers.get('x-content-sha256')).toBe(job.sha256);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    const header = await fetch(`${server.url}/api/exports/${job.id}/download`, {
      headers: { authorization: 'Bearer tok' },
    });
    expect(header.status).toBe(200);
    await header.arrayBuffer();

    const unknown = await fetch(`${server.url}/api/exports/nope/download?token=tok`);
    expect(unknown.status).toBe(404);
    const noToken = await fetch(`${server.url}/api/exports/${job.id}/download`);
    expect(noToken.status).toBe(401);
    await t.call('system.settings.update', { exports: { concurrency: 1 } });
    const cancelled = await t.call('exports.create', { format: 'csv', filters: {} });
    await t.call('exports.cancel', { id: cancelled.id }).catch(() => undefined);
    const notReady = await fetch(`${server.url}/api/exports/${cancelled.id}/download?token=tok`);
    expect(notReady.status).toBe(409);
    // Desktop-only abilities say so in a browser session.
    const saveAs = await t.raw('exports.saveAs', { id: job.id });
    expect(!saveAs.ok && saveAs.error.code).toBe('unavailable');
  });
});
