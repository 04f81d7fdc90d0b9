import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  ActivityHeatmap,
  AlertsByRuleRow,
  CameraUptime,
  DetectionTrendRow,
  FalsePositiveRow,
  ObjectShare,
  RiskHistoryRow,
  StorageUsage,
} from '../../src-shared/analytics';
import type { RiskLevel } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { localClock } from '../../src-shared/schedule';
import type { CalibrationRepository } from '../calibration';
import type { CameraRepository } from '../cameras';
import type { AnalyticsRepository, DayRange } from './analytics-repository';

export interface AnalyticsRange {
  from?: string;
  to?: string;
  cameraIds?: string[];
}

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;

const zeroLevels = (): Record<RiskLevel, number> =>
  Object.fromEntries(RISK_LEVELS.map((l) => [l, 0])) as Record<RiskLevel, number>;

/** The range as instants (default: the last 30 days) and as UTC days. */
function resolveRange(r: AnalyticsRange, now = Date.now()) {
  const to = r.to ? Date.parse(r.to) : now;
  const from = r.from ? Date.parse(r.from) : to - DEFAULT_DAYS * DAY_MS;
  if (from > to) throw new AppError('invalid_input', '"from" must not be after "to"');
  const iso = (ms: number) => new Date(ms).toISOString();
  // The last day counts when the range reaches into it.
  const lastDay = iso(Math.max(from, to - 1)).slice(0, 10);
  const days: DayRange = {
    fromDay: iso(from).slice(0, 10),
    toDay: lastDay,
    cameraIds: r.cameraIds,
  };
  return { from: iso(from), to: iso(to), fromMs: from, toMs: to, days };
}

/**
 * Analytics over a date range and cameras. Counts come from the counters the database keeps
 * with the rows (UTC days), so each answer is one indexed query whatever the number of
 * events; the heatmap is turned into the homeowner's hours here.
 */
export class AnalyticsService {
  constructor(
    private readonly d: {
      analytics: AnalyticsRepository;
      cameras: CameraRepository;
      calibration: CalibrationRepository;
      dataDir: string;
      databaseFile: string;
      exportsDir: () => string;
      now?: () => number;
    },
  ) {}

  private range(r: AnalyticsRange) {
    return resolveRange(r, this.d.now?.() ?? Date.now());
  }

  async detectionTrends(r: AnalyticsRange): Promise<DetectionTrendRow[]> {
    const rows = await this.d.analytics.detectionTrends(this.range(r).days);
    return rows.map((x) => ({ day: x.day, objectClass: x.object_class, count: Number(x.n) }));
  }

  async riskHistory(r: AnalyticsRange): Promise<RiskHistoryRow[]> {
    return (await this.d.analytics.eventsByDayLevel(this.range(r).days)).map((x) => ({
      day: x.day,
      counts: Object.fromEntries(RISK_LEVELS.map((l) => [l, Number(x[l])])) as Record<
        RiskLevel,
        number
      >,
    }));
  }

  async objectDistribution(r: AnalyticsRange): Promise<ObjectShare[]> {
    const rows = await this.d.analytics.objectCounts(this.range(r).days);
    const total = rows.reduce((a, x) => a + Number(x.n), 0);
    return rows
      .map((x) => ({
        objectClass: x.object_class,
        count: Number(x.n),
        percent: Math.round((Number(x.n) / total) * 1000) / 10,
      }))
      .sort((a, b) => b.count - a.count || a.objectClass.localeCompare(b.objectClass));
  }

  /**
   * Events per local day of week and hour. Counters are per UTC hour; each UTC day's offset
   * is read once (at its noon), so on the two days a year the clocks change, the hours next
   * to the change may land one hour off.
   */
  async heatmap(r: AnalyticsRange): Promise<ActivityHeatmap> {
    const timezone =
      (await this.d.calibration.get()).night?.timezone ??
      Intl.DateTimeFormat().resolvedOptions().timeZone;
    const cells = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    const offsets = new Map<string, { offset: number; dow: number }>();
    for (const x of await this.d.analytics.eventsByDayHour(this.range(r).days)) {
      let o = offsets.get(x.day);
      if (!o) {
        const noon = localClock(`${x.day}T12:00:00.000Z`, timezone);
        o = { offset: noon.minutes - 720, dow: noon.day };
        offsets.set(x.day, o);
      }
      const local = x.hour * 60 + 30 + o.offset;
      const shift = Math.floor(local / 1440) - Math.floor((720 + o.offset) / 1440);
      const hour = Math.floor((((local % 1440) + 1440) % 1440) / 60);
      const dow = (((o.dow + shift) % 7) + 7) % 7;
      cells[dow]![hour]! += Number(x.n);
    }
    return { timezone, cells, max: Math.max(0, ...cells.flat()) };
  }

  async alertsByRule(r: AnalyticsRange): Promise<AlertsByRuleRow[]> {
    const { from, to } = this.range(r);
    const byRule = new Map<string, AlertsByRuleRow>();
    for (const x of await this.d.analytics.alertsByRule(from, to, r.cameraIds)) {
      const key = x.rule_id ?? '';
      const row = byRule.get(key) ?? {
        ruleId: x.rule_id,
        ruleName: x.rule_name ?? '(deleted rule)',
        count: 0,
        bySeverity: zeroLevels(),
      };
      row.count += Number(x.n);
      row.bySeverity[x.severity] += Number(x.n);
      byRule.set(key, row);
    }
    return [...byRule.values()].sort((a, b) => b.count - a.count);
  }

  async falsePositiveRate(r: AnalyticsRange): Promise<FalsePositiveRow[]> {
    const { from, to, days } = this.range(r);
    const names = new Map((await this.d.cameras.list()).map((c) => [c.id, c.name]));
    const rows = new Map<string, FalsePositiveRow>();
    const row = (cameraId: string) => {
      let x = rows.get(cameraId);
      if (!x) {
        x = {
          cameraId,
          cameraName: names.get(cameraId) ?? cameraId,
          events: 0,
          feedback: 0,
          falsePositives: 0,
          rate: null,
        };
        rows.set(cameraId, x);
      }
      return x;
    };
    for (const x of await this.d.analytics.eventsByCamera(days))
      row(x.camera_id).events = Number(x.n);
    for (const x of await this.d.analytics.feedbackByCamera(from, to, r.cameraIds)) {
      const target = row(x.camera_id);
      target.feedback += Number(x.n);
      if (x.type === 'false_positive') target.falsePositives += Number(x.n);
    }
    for (const x of rows.values()) x.rate = x.feedback ? x.falsePositives / x.feedback : null;
    return [...rows.values()]
      .filter((x) => x.events > 0 || x.feedback > 0)
      .sort((a, b) => a.cameraName.localeCompare(b.cameraName));
  }

  /** Time in each status over the range, from the status log (until now for a current range). */
  async cameraUptime(r: AnalyticsRange): Promise<CameraUptime[]> {
    const { from, fromMs, toMs } = this.range(r);
    const end = Math.min(toMs, this.d.now?.() ?? Date.now());
    const cameras = (await this.d.cameras.list()).filter(
      (c) => !r.cameraIds?.length || r.cameraIds.includes(c.id),
    );
    const out: CameraUptime[] = [];
    for (const c of cameras) {
      const { before, inside } = await this.d.analytics.statusChanges(
        c.id,
        from,
        new Date(end).toISOString(),
      );
      const ms = { online: 0, offline: 0, unknown: 0 };
      let status = before?.status;
      let since = fromMs;
      for (const change of inside) {
        const at = Date.parse(change.at);
        if (status) ms[status] += at - since;
        status = change.status;
        since = at;
      }
      if (status) ms[status] += Math.max(0, end - since);
      const known = ms.online + ms.offline;
      out.push({
        cameraId: c.id,
        cameraName: c.name,
        onlineMs: ms.online,
        offlineMs: ms.offline,
        unknownMs: ms.unknown,
        uptime: known ? ms.online / known : null,
        changes: inside.length,
      });
    }
    return out;
  }

  /** Bytes by category: the database, snapshots per camera, exports, log files. */
  async storage(): Promise<StorageUsage> {
    const sizeOf = async (file: string) => (await fs.stat(file).catch(() => null))?.size ?? 0;
    const dirBytes = async (dir: string) => {
      const entries = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
      let total = 0;
      for (const e of entries) {
        const st = await fs.stat(path.join(dir, e)).catch(() => null);
        if (st?.isFile()) total += st.size;
      }
      return total;
    };
    const db = this.d.databaseFile;
    const databaseBytes =
      (await sizeOf(db)) + (await sizeOf(`${db}-wal`)) + (await sizeOf(`${db}-shm`));
    const names = new Map((await this.d.cameras.list()).map((c) => [c.id, c.name]));
    const snapshots = (await this.d.analytics.snapshotBytes()).map((x) => ({
      cameraId: x.camera_id,
      cameraName: names.get(x.camera_id) ?? x.camera_id,
      files: Number(x.files),
      bytes: Number(x.bytes),
    }));
    const exportsBytes = await dirBytes(this.d.exportsDir());
    const logsBytes = await dirBytes(path.join(this.d.dataDir, 'logs'));
    return {
      databaseBytes,
      snapshots,
      exportsBytes,
      logsBytes,
      totalBytes:
        databaseBytes + snapshots.reduce((a, s) => a + s.bytes, 0) + exportsBytes + logsBytes,
    };
  }
}
