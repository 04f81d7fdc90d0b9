/** What the analytics channels answer (days are UTC calendar days, `YYYY-MM-DD`). */
import type { RiskLevel } from './domain';

export interface DetectionTrendRow {
  day: string;
  objectClass: string;
  count: number;
}

export interface RiskHistoryRow {
  day: string;
  counts: Record<RiskLevel, number>;
}

export interface CameraUptime {
  cameraId: string;
  cameraName: string;
  /** Milliseconds of the range in each status (before the camera existed: not counted). */
  onlineMs: number;
  offlineMs: number;
  unknownMs: number;
  /** Online share of the time its status was known (null when never known). */
  uptime: number | null;
  /** Status changes inside the range. */
  changes: number;
}

export interface ObjectShare {
  objectClass: string;
  count: number;
  /** 0..100, one decimal. */
  percent: number;
}

export interface ActivityHeatmap {
  /** The time zone the hours are in (the night profile's, else the machine's). */
  timezone: string;
  /** [day of week 0 = Sunday][hour 0..23] → events. */
  cells: number[][];
  max: number;
}

export interface AlertsByRuleRow {
  ruleId: string | null;
  ruleName: string;
  count: number;
  bySeverity: Record<RiskLevel, number>;
}

export interface FalsePositiveRow {
  cameraId: string;
  cameraName: string;
  events: number;
  feedback: number;
  falsePositives: number;
  /** False positives per feedback given (null without feedback). */
  rate: number | null;
}

export interface StorageUsage {
  databaseBytes: number;
  snapshots: { cameraId: string; cameraName: string; files: number; bytes: number }[];
  exportsBytes: number;
  logsBytes: number;
  totalBytes: number;
}
