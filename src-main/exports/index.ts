/** Exports: background jobs writing CSV, JSON, ZIP and XLSX files of the timeline's events. */
export { exportRepository } from './export-repository';
export type { ExportRepository } from './export-repository';
export { EXPORT_JOB, ExportService, partialPath } from './export-service';
export type { DesktopFiles } from './export-service';
export { exportHandlers } from './handlers';
