import { once } from 'node:events';
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Writable } from 'node:stream';
import { setImmediate as nextTick } from 'node:timers/promises';
import { ZipArchive } from 'archiver';
import ExcelJS from 'exceljs';
import type { ExportFormat } from '../../src-shared/domain';
import type { EventSource, EventTuple } from '../events';
import {
  CSV_HEADER,
  EVENT_COLUMNS,
  csvLines,
  detectionJson,
  eventCells,
  eventJson,
  zipImageName,
} from './export-formats';

export interface WriteContext {
  source: EventSource;
  /** Where the file's bytes go (hashed and counted on the way to disk). */
  out: Writable;
  signal: AbortSignal;
  /** Work units done (one per event per pass). */
  advance(n: number): void;
  includeImages: boolean;
  /** The real path of a snapshot if it is still on disk inside the camera folders. */
  resolveImage(path: string): Promise<string | null>;
}

/** Passes over the events a format makes (progress total = events × passes). */
export function passes(format: ExportFormat, includeImages: boolean): number {
  return format === 'zip' ? (includeImages ? 3 : 2) : 1;
}

/** Writes with backpressure: waits for 'drain' (or the abort) when the buffer is full. */
async function put(w: Writable, chunk: string | Buffer, signal: AbortSignal): Promise<void> {
  if (!w.write(chunk)) await once(w, 'drain', { signal });
}

/** Every chunk of events, with a turn for the event loop between chunks. */
async function* chunks(ctx: WriteContext): AsyncGenerator<EventTuple[]> {
  for (;;) {
    ctx.signal.throwIfAborted();
    const rows = ctx.source.next();
    if (!rows.length) return;
    yield rows;
    ctx.advance(rows.length);
    await nextTick();
  }
}

async function end(w: Writable): Promise<void> {
  if (w.writableFinished) return;
  w.end();
  await once(w, 'finish');
}

async function csvInto(ctx: WriteContext, out: Writable): Promise<number> {
  await put(out, CSV_HEADER, ctx.signal);
  let n = 0;
  for await (const rows of chunks(ctx)) {
    await put(out, csvLines(rows), ctx.signal);
    n += rows.length;
  }
  return n;
}

export async function writeCsv(ctx: WriteContext): Promise<void> {
  await csvInto(ctx, ctx.out);
  await end(ctx.out);
}

/** A JSON array streamed one event at a time: `[` … `]`, valid at any size. */
export async function writeJson(ctx: WriteContext): Promise<void> {
  await put(ctx.out, '[', ctx.signal);
  let first = true;
  for await (const rows of chunks(ctx)) {
    let text = '';
    for (const r of rows) {
      text += `${first ? '\n' : ',\n'}${JSON.stringify(eventJson(r))}`;
      first = false;
    }
    await put(ctx.out, text, ctx.signal);
  }
  await put(ctx.out, first ? ']\n' : '\n]\n', ctx.signal);
  await end(ctx.out);
}

/**
 * events.csv, detections.json, then the snapshots (stored, not re-compressed), then a
 * manifest.json with the counts and any snapshot no longer on disk. Each entry is written
 * while the archive reads it, so nothing is held in memory beyond one chunk.
 */
export async function writeZip(ctx: WriteContext): Promise<void> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const failed = new Promise<never>((_, reject) => archive.once('error', reject));
  failed.catch(() => undefined);
  archive.pipe(ctx.out);

  const entry = async (name: string, fill: (w: PassThrough) => Promise<void>) => {
    const w = new PassThrough({ highWaterMark: 1 << 20 });
    archive.append(w, { name });
    await Promise.race([fill(w).then(() => end(w)), failed]);
  };

  let events = 0;
  await entry('events.csv', async (w) => {
    events = await csvInto(ctx, w);
  });

  let detections = 0;
  ctx.source.rewind({ keysOnly: true });
  await entry('detections.json', async (w) => {
    await put(w, '[', ctx.signal);
    let first = true;
    for await (const rows of chunks(ctx)) {
      for await (const found of ctx.source.detections(rows.map((r) => r[0]))) {
        ctx.signal.throwIfAborted();
        let text = '';
        for (const d of found) {
          const imageFile = ctx.includeImages ? zipImageName(d) : null;
          text += `${first ? '\n' : ',\n'}${JSON.stringify(detectionJson(d, imageFile))}`;
          first = false;
        }
        detections += found.length;
        if (text) await put(w, text, ctx.signal);
      }
    }
    await put(w, first ? ']\n' : '\n]\n', ctx.signal);
  });

  let images = 0;
  const missing: string[] = [];
  if (ctx.includeImages) {
    ctx.source.rewind({ keysOnly: true });
    const added = new Set<string>();
    for await (const rows of chunks(ctx)) {
      for await (const found of ctx.source.detections(rows.map((r) => r[0]))) {
        for (const d of found) {
          const name = zipImageName(d);
          if (added.has(name)) continue;
          added.add(name);
          const file = await ctx.resolveImage(d[11]);
          if (!file) {
            missing.push(name);
            continue;
          }
          // One snapshot at a time: the next is opened once the archive has written this one.
          const written = once(archive, 'entry', { signal: ctx.signal });
          archive.append(fs.createReadStream(file), { name, store: true });
          await written;
          images++;
        }
      }
    }
  }

  archive.append(
    JSON.stringify(
      {
        format: 'hsi-events-export',
        version: 1,
        exportedAt: new Date().toISOString(),
        events,
        detections,
        images,
        missingImages: missing,
      },
      null,
      2,
    ),
    { name: 'manifest.json' },
  );
  await Promise.race([archive.finalize(), failed]);
}

/**
 * A real .xlsx written as a stream (rows committed as they go, no shared-strings table):
 * sheet "Events", bold white header on blue, frozen header row, banded rows, thin borders.
 */
export async function writeXlsx(ctx: WriteContext): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: ctx.out,
    useStyles: true,
    useSharedStrings: false,
  });
  book.creator = 'Home Security Intelligence';
  const sheet = book.addWorksheet('Events', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = EVENT_COLUMNS.map((c) => ({ header: c.header, width: c.width }));
  const thin = { style: 'thin' as const, color: { argb: 'FFB4BCCC' } };
  const border = { top: thin, left: thin, bottom: thin, right: thin };
  const header = sheet.getRow(1);
  header.eachCell((cell) => {
    cell.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF4472C4' } };
    cell.border = border;
  });
  header.commit();
  const band = {
    type: 'pattern' as const,
    pattern: 'solid' as const,
    fgColor: { argb: 'FFE9EDF5' },
  };
  let n = 0;
  for await (const rows of chunks(ctx)) {
    for (const r of rows) {
      const row = sheet.addRow(eventCells(r));
      n++;
      row.eachCell({ includeEmpty: true }, (cell) => {
        cell.border = border;
        if (n % 2 === 0) cell.fill = band;
      });
      row.commit();
    }
    if (ctx.out.writableNeedDrain) await once(ctx.out, 'drain', { signal: ctx.signal });
  }
  sheet.commit();
  await book.commit();
}

export const WRITERS: Record<ExportFormat, (ctx: WriteContext) => Promise<void>> = {
  csv: writeCsv,
  json: writeJson,
  zip: writeZip,
  xlsx: writeXlsx,
};
