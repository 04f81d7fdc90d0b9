import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RumMetric, RumMetricName } from '../../src-shared/domain';
import type { CallRecord } from '../bridge/router';

/** Prometheus metrics for this app instance (a registry of its own, not the global one). */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly calls: Counter<'channel' | 'outcome'>;
  private readonly duration: Histogram<'channel'>;
  private readonly rum: Record<RumMetricName, Histogram<'path' | 'rating'>>;
  private readonly rumTotal: Counter<'metric_name' | 'rating'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hsi_' });
    this.calls = new Counter({
      name: 'hsi_rpc_calls_total',
      help: 'Channel calls by outcome (ok or error code)',
      labelNames: ['channel', 'outcome'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'hsi_rpc_duration_seconds',
      help: 'Channel call duration',
      labelNames: ['channel'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [this.registry],
    });
    const rum = (name: string, help: string, buckets: number[]) =>
      new Histogram({
        name,
        help,
        labelNames: ['path', 'rating'],
        buckets,
        registers: [this.registry],
      });
    // The reference system's names and buckets.
    const inputDelay = [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2];
    this.rum = {
      LCP: rum(
        'hsi_rum_lcp_seconds',
        'Largest Contentful Paint',
        [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 8, 10],
      ),
      FID: rum('hsi_rum_fid_seconds', 'First Input Delay', inputDelay),
      INP: rum('hsi_rum_inp_seconds', 'Interaction to Next Paint', inputDelay),
      CLS: rum(
        'hsi_rum_cls',
        'Cumulative Layout Shift',
        [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1],
      ),
      TTFB: rum(
        'hsi_rum_ttfb_seconds',
        'Time to First Byte',
        [0.2, 0.4, 0.6, 0.8, 1, 1.4, 1.8, 2.5, 5],
      ),
      FCP: rum(
        'hsi_rum_fcp_seconds',
        'First Contentful Paint',
        [0.5, 1, 1.5, 1.8, 2, 2.5, 3, 4, 6],
      ),
    };
    this.rumTotal = new Counter({
      name: 'hsi_rum_metrics_total',
      help: 'RUM metrics accepted, by metric and rating',
      labelNames: ['metric_name', 'rating'],
      registers: [this.registry],
    });
  }

  /** An accepted RUM metric: its histogram (seconds; CLS as is) and the counter. */
  observeRum(m: RumMetric): void {
    const labels = { path: m.path, rating: m.rating };
    this.rum[m.name].observe(labels, m.name === 'CLS' ? m.value : m.value / 1000);
    this.rumTotal.inc({ metric_name: m.name, rating: m.rating });
  }

  recordCall(record: CallRecord): void {
    const outcome = record.result.ok ? 'ok' : record.result.error.code;
    this.calls.inc({ channel: record.channel, outcome });
    this.duration.observe({ channel: record.channel }, record.durationMs / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
