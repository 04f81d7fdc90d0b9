import type { ExportFormat } from '../../src-shared/domain';
import type { DetectionTuple, EventTuple } from '../events';
import { objectClassesOf } from '../events';

/** The reference system's columns, plus object types and reasoning (its "extended" set). */
export const EVENT_COLUMNS = [
  { header: 'Event ID', width: 28 },
  { header: 'Camera', width: 20 },
  { header: 'Started At', width: 26 },
  { header: 'Ended At', width: 26 },
  { header: 'Risk Score', width: 11 },
  { header: 'Risk Level', width: 11 },
  { header: 'Summary', width: 50 },
  { header: 'Detections', width: 11 },
  { header: 'Reviewed', width: 10 },
  { header: 'Object Types', width: 24 },
  { header: 'Reasoning', width: 50 },
] as const;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  zip: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * A text cell a spreadsheet will not run: one starting with = + - @ tab or CR gets a leading
 * apostrophe (OWASP's advice for CSV injection).
 */
export function defuse(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One CSV field (RFC 4180): defused, then quoted when it holds a quote, comma or newline. */
export function csvCell(value: string): string {
  const v = defuse(value);
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function objectTypes(spaceSeparated: string): string {
  return objectClassesOf(spaceSeparated).join(', ');
}

/** The spreadsheet cells of one event, in EVENT_COLUMNS order (text defused). */
export function eventCells(r: EventTuple): (string | number)[] {
  return [
    r[0],
    defuse(r[1]),
    r[2],
    r[3],
    r[4],
    r[5],
    defuse(r[6]),
    r[7],
    r[8] ? 'Yes' : 'No',
    objectTypes(r[9]),
    defuse(r[10]),
  ];
}

/** UTF-8 byte-order mark first, so spreadsheet apps read the file as UTF-8. */
export const CSV_HEADER = `\ufeff${EVENT_COLUMNS.map((c) => csvCell(c.header)).join(',')}\r\n`;

/** A chunk of events as CSV bytes (one buffer per chunk: far fewer writes than per row). */
export function csvLines(rows: EventTuple[]): Buffer {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    lines[i] =
      `${r[0]},${csvCell(r[1])},${r[2]},${r[3]},${r[4]},${r[5]},${csvCell(r[6])},${r[7]},` +
      `${r[8] ? 'Yes' : 'No'},${r[9].includes(' ') ? csvCell(objectTypes(r[9])) : r[9]},${csvCell(r[10])}\r\n`;
  }
  return Buffer.from(lines.join(''));
}

/** The JSON form of one event (the API's Event fields that describe it). */
export function eventJson(r: EventTuple): Record<string, unknown> {
  return {
    id: r[0],
    cameraId: r[11],
    cameraName: r[1],
    startedAt: r[2],
    endedAt: r[3],
    riskScore: r[4],
    riskLevel: r[5],
    summary: r[6],
    reasoning: r[10],
    objectClasses: objectClassesOf(r[9]),
    detectionCount: r[7],
    reviewed: r[8] === 1,
    falsePositive: r[12] === 1,
    notes: r[13],
    scorer: r[14],
    model: r[15],
  };
}

export function detectionJson(d: DetectionTuple, imageFile: string | null) {
  return {
    id: d[0],
    eventId: d[1],
    cameraId: d[2],
    objectClass: d[3],
    confidence: d[4],
    bbox: { x1: d[5], y1: d[6], x2: d[7], y2: d[8] },
    detectedAt: d[9],
    stationary: d[12] === 1,
    imageId: d[10],
    imageFile,
  };
}

/** Where a snapshot goes inside the ZIP: images/<camera>/<image id>_<file name>. */
export function zipImageName(d: DetectionTuple): string {
  const base = (d[11].split(/[\\/]/).pop() ?? 'image').replace(/[^A-Za-z0-9._-]/g, '_');
  const camera = d[2].replace(/[^A-Za-z0-9._-]/g, '_');
  return `images/${camera}/${d[10] ?? 'x'}_${base}`;
}

/** events_YYYYMMDD_HHMMSS_<id>.<ext> (UTC, from the job's creation time). */
export function exportFileName(jobId: string, createdAt: string, format: ExportFormat): string {
  const stamp = createdAt
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '_');
  return `events_${stamp}_${jobId.slice(-8).toLowerCase()}.${format}`;
}
