/** What a retention run deletes (or, as a dry run, would delete): API.md `retention.*`. */
export interface RetentionReport {
  dryRun: boolean;
  /** Rows and files older than these are due (ISO times), per category. */
  cutoffs: { events: string; logs: string; rum: string; jobs: string; recordings: string };
  events: number;
  detections: number;
  /** Snapshot rows (and their files and thumbnails). */
  images: number;
  logs: number;
  rum: number;
  jobs: number;
  recordings: number;
  /** Files deleted (snapshots, thumbnails, orphans) and their bytes. */
  files: number;
  bytes: number;
  /** Files under the app's folders with no row, and rows whose file is gone. */
  orphanFiles: number;
  orphanRows: number;
  /** Kept although due: an active alert or an unfinished export needs them. */
  protected: number;
  /** Files that could not be deleted (each a dead letter of the job). */
  failed: number;
}
