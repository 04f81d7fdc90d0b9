import { rumMetricSchema } from '../../src-shared/contract';
import type { RumIngestResult, RumMetric, RumSummaryRow } from '../../src-shared/domain';
import type { RumRepository } from './rum-repository';
import { percentile } from '../common/stats';

/** A label-safe page: no query or fragment, ids as `:id`, at most 64 characters. */
export function rumPath(path: string): string {
  const clean = path
    .replace(/^#/, '')
    .replace(/[?#].*$/, '')
    .split('/')
    .map((seg) => (/\d/.test(seg) && seg.length >= 6 ? ':id' : seg))
    .join('/');
  return (clean.startsWith('/') ? clean : `/${clean}`).slice(0, 64);
}

/**
 * Real-user monitoring: Core Web Vitals from the app's windows, checked one by one (the
 * valid ones kept, each other one named with its index), observed into the metrics and
 * sampled into SQLite for percentiles across restarts.
 */
export class RumService {
  constructor(
    private readonly d: {
      rum: RumRepository;
      /** Observes an accepted metric (the Prometheus histograms). */
      observe: (m: RumMetric) => void;
    },
  ) {}

  async ingest(metrics: readonly unknown[]): Promise<RumIngestResult> {
    const accepted: RumMetric[] = [];
    const rejected: RumIngestResult['rejected'] = [];
    metrics.forEach((raw, index) => {
      const parsed = rumMetricSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
        rejected.push({ index, reason: `${where}${issue.message}` });
        return;
      }
      accepted.push({ ...parsed.data, path: rumPath(parsed.data.path) });
    });
    await this.d.rum.insert(accepted, new Date().toISOString());
    for (const m of accepted) this.d.observe(m);
    return { accepted: accepted.length, rejected };
  }

  /** p50 / p75 / p95 per metric and page over the range. */
  async summary(range: { from?: string; to?: string }): Promise<RumSummaryRow[]> {
    const groups = new Map<
      string,
      { name: RumSummaryRow['name']; path: string; values: number[] }
    >();
    for (const s of await this.d.rum.samples(range)) {
      const key = `${s.name} ${s.path}`;
      const g = groups.get(key) ?? { name: s.name, path: s.path, values: [] };
      g.values.push(s.value);
      groups.set(key, g);
    }
    return [...groups.values()].map((g) => ({
      name: g.name,
      path: g.path,
      count: g.values.length,
      p50: percentile(g.values, 50)!,
      p75: percentile(g.values, 75)!,
      p95: percentile(g.values, 95)!,
    }));
  }
}
