import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type {
  DetectorEndpoint,
  DetectorStatus,
  RumMetric,
  RumMetricName,
} from '../../src-shared/domain';
import type { CallRecord } from '../bridge/router';
import type { DomainEventBus } from '../common/domain-events';

/** Prometheus metrics for this app instance (a registry of its own, not the global one). */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly calls: Counter<'channel' | 'outcome'>;
  private readonly duration: Histogram<'channel'>;
  private readonly rum: Record<RumMetricName, Histogram<'path' | 'rating'>>;
  private readonly rumTotal: Counter<'metric_name' | 'rating'>;

  /** With `bus`: the pipeline's counters and latencies follow its domain events. */
  constructor(bus?: DomainEventBus) {
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
    if (bus) this.followPipeline(bus);
  }

  /**
   * Where detection runs and, on inference servers, each endpoint's state, requests in
   * flight, smoothed latency, requests and errors — read at each scrape.
   */
  watchDetector(status: () => DetectorStatus): void {
    const gauge = (name: string, help: string, pick: (e: DetectorEndpoint) => number | null) =>
      new Gauge<'endpoint'>({
        name,
        help,
        labelNames: ['endpoint'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const e of status().endpoints) {
            const v = pick(e);
            if (v !== null) this.set({ endpoint: e.url }, v);
          }
        },
      });
    new Gauge<'backend'>({
      name: 'hsi_detector_backend',
      help: 'Where detection runs (1 for the current backend: local, v2, local (fallback))',
      labelNames: ['backend'],
      registers: [this.registry],
      collect() {
        this.reset();
        this.set({ backend: status().backend }, 1);
      },
    });
    gauge('hsi_detector_endpoint_up', 'Inference server taking requests (breaker closed)', (e) =>
      e.state === 'closed' ? 1 : 0,
    );
    gauge(
      'hsi_detector_endpoint_in_flight',
      'Requests in flight per inference server',
      (e) => e.outstanding,
    );
    gauge(
      'hsi_detector_endpoint_latency_seconds',
      'Smoothed answer time per inference server',
      (e) => (e.latencyMs === null ? null : e.latencyMs / 1000),
    );
    gauge(
      'hsi_detector_endpoint_requests',
      'Requests sent per inference server',
      (e) => e.requests,
    );
    gauge('hsi_detector_endpoint_errors', 'Failed requests per inference server', (e) => e.errors);
  }

  /** The detection server's requests, refusals, errors, requests in flight and mean time. */
  watchDetectionServer(
    stats: () => {
      requests: number;
      refused: number;
      errors: number;
      inFlight: number;
      averageMs: number | null;
    },
  ): void {
    const gauge = (
      name: string,
      help: string,
      pick: (s: ReturnType<typeof stats>) => number | null,
    ) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const v = pick(stats());
          if (v !== null) this.set(v);
        },
      });
    gauge(
      'hsi_detection_server_requests',
      'Detection requests answered or failed',
      (s) => s.requests,
    );
    gauge(
      'hsi_detection_server_refused',
      'Detection requests refused (rate or queue full)',
      (s) => s.refused,
    );
    gauge('hsi_detection_server_errors', 'Detection requests that failed', (s) => s.errors);
    gauge('hsi_detection_server_in_flight', 'Detection requests being answered', (s) => s.inFlight);
    gauge('hsi_detection_server_average_seconds', 'Mean time to answer a detection request', (s) =>
      s.averageMs === null ? null : s.averageMs / 1000,
    );
  }

  /** Images in and processed, inference time, event latency, alerts, deliveries, exports. */
  private followPipeline(bus: DomainEventBus): void {
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers: [this.registry] });
    const histogram = (name: string, help: string, buckets: number[]) =>
      new Histogram({ name, help, buckets, registers: [this.registry] });
    const queued = counter('hsi_images_queued_total', 'Images that entered the ingest queue');
    const processed = counter('hsi_images_processed_total', 'Images detected and stored');
    const images = new Gauge<'status'>({
      name: 'hsi_images',
      help: 'Images in the ingest queue by status (failed and quarantined stay)',
      labelNames: ['status'],
      registers: [this.registry],
    });
    const inference = histogram(
      'hsi_inference_seconds',
      'Model inference per image',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
    const eventLatency = histogram(
      'hsi_event_creation_seconds',
      'From the first image of a batch arriving to its event being stored',
      [1, 5, 15, 30, 60, 90, 120, 300, 600],
    );
    const alerts = counter('hsi_alerts_total', 'Alerts raised, by severity', ['severity']);
    const deliveries = counter('hsi_deliveries_total', 'Delivery state changes, by status', [
      'status',
    ]);
    const exportRows = counter('hsi_export_rows_total', 'Rows written by completed exports');
    const promptRuns = counter('hsi_prompt_runs_total', 'Prompt version runs by kind and outcome', [
      'kind',
      'outcome',
    ]);
    const promptLatency = new Histogram<'kind'>({
      name: 'hsi_prompt_latency_seconds',
      help: 'LLM answer time per prompt run, by kind (live, shadow, evaluate, playground)',
      labelNames: ['kind'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [this.registry],
    });
    const rollbacks = counter(
      'hsi_prompt_rollbacks_total',
      'Experiment candidates rolled back automatically, by reason',
      ['reason'],
    );
    bus.on('image.queued', () => queued.inc());
    bus.on('image.processed', (i) => {
      processed.inc();
      inference.observe(i.inferenceMs / 1000);
    });
    bus.on('ingest.statusChanged', (s) => {
      images.set({ status: 'queued' }, s.queueDepth);
      images.set({ status: 'processing' }, s.inFlight);
      images.set({ status: 'failed' }, s.failed);
      images.set({ status: 'quarantined' }, s.quarantined);
    });
    bus.on('event.created', (e) =>
      eventLatency.observe(Math.max(0, Date.parse(e.createdAt) - Date.parse(e.startedAt)) / 1000),
    );
    bus.on('alert.created', (a) => alerts.inc({ severity: a.severity }));
    bus.on('delivery.changed', (d) => deliveries.inc({ status: d.status }));
    bus.on('prompt.ran', (r) => {
      promptRuns.inc({ kind: r.kind, outcome: r.outcome });
      promptLatency.observe({ kind: r.kind }, r.latencyMs / 1000);
    });
    bus.on('prompt.rolledBack', (r) => rollbacks.inc({ reason: r.reason }));
    bus.on('export.changed', (j) => {
      if (j.status === 'completed' && j.rowCount) exportRows.inc(j.rowCount);
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
