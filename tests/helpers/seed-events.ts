import path from 'node:path';
import Database from 'better-sqlite3';
import { BENCH_CAMERAS, benchEvent } from '../bench/events-data';
import { cameraIdFromName } from '../../src-shared/domain';

export const SEED_CAMERAS = BENCH_CAMERAS.map((c) => ({ id: cameraIdFromName(c.name), ...c }));

export interface SeedOptions {
  /** Also insert each event's 1–3 detections and their links (slower). */
  detections?: boolean;
  /** Mark every k-th event reviewed (and the rest not) instead of the generator's mix. */
  reviewedEvery?: number;
  /** Page cache of the loading connection, MiB (bulk loads of a million rows want ~256). */
  cacheMiB?: number;
  /**
   * Store score components as the app writes them now (the raw score for each class, as an
   * LLM-scored event has); without, the rows look like events stored before components.
   */
  components?: boolean;
  /** Called after each committed batch of 10,000 events with the events loaded so far. */
  onProgress?: (events: number) => void;
}

/**
 * Bulk-loads `n` deterministic synthetic events (the benchmark's mix: eight cameras, four risk
 * levels, realistic summaries, FTS filled by the real triggers) through a second connection
 * to the app's own SQLite file. The cameras must exist (see SEED_CAMERAS). Returns the number
 * of detections inserted (0 without `detections`).
 */
export function seedEvents(dataDir: string, n: number, opts: SeedOptions = {}): number {
  const db = new Database(path.join(dataDir, 'hsi.sqlite'));
  let detectionCount = 0;
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (opts.cacheMiB) db.pragma(`cache_size = -${Math.round(opts.cacheMiB * 1024)}`);
    const insertEvent = db.prepare(`INSERT INTO events (id, batch_id, camera_id, started_at,
      ended_at, risk_score, raw_risk_score, risk_level, summary, reasoning, scorer, model,
      latency_ms, object_classes, detection_count, is_fast_path, reviewed, false_positive, notes,
      created_at, updated_at, score_components) VALUES (@id, @batch_id, @camera_id, @started_at,
      @ended_at, @risk_score, @raw_risk_score, @risk_level, @summary, @reasoning, @scorer, @model,
      @latency_ms, @object_classes, @detection_count, @is_fast_path, @reviewed, @false_positive,
      @notes, @created_at, @updated_at, @score_components)`);
    const insertDetection = db.prepare(`INSERT INTO detections (id, camera_id, image_path,
      image_sha256, image_width, image_height, detected_at, object_class, confidence, x1, y1, x2,
      y2, model, created_at) VALUES (@id, @camera_id, @image_path, @image_sha256, @image_width,
      @image_height, @detected_at, @object_class, @confidence, @x1, @y1, @x2, @y2, @model,
      @created_at)`);
    const insertLink = db.prepare(
      'INSERT INTO event_detections (event_id, detection_id, created_at) VALUES (?, ?, ?)',
    );
    const load = db.transaction((start: number, end: number) => {
      for (let i = start; i < end; i += 1) {
        const e = benchEvent(i, n);
        const { detections, camera_name: _name, ...row } = e;
        if (opts.reviewedEvery) row.reviewed = i % opts.reviewedEvery === 0 ? 1 : 0;
        const classes = row.object_classes ? row.object_classes.split(' ') : [''];
        insertEvent.run({
          ...row,
          score_components: opts.components
            ? JSON.stringify(Object.fromEntries(classes.map((c) => [c, row.raw_risk_score])))
            : null,
        });
        if (opts.detections) {
          for (const d of detections) {
            insertDetection.run(d);
            insertLink.run(e.id, d.id, e.created_at);
          }
          detectionCount += detections.length;
        }
      }
    });
    for (let start = 0; start < n; start += 10_000) {
      const end = Math.min(n, start + 10_000);
      load(start, end);
      opts.onProgress?.(end);
    }
  } finally {
    db.close();
  }
  return detectionCount;
}
