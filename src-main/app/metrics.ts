import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallRecord } from '../bridge/router';

/** Prometheus metrics for this app instance (a registry of its own, not the global one). */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly calls: Counter<'channel' | 'outcome'>;
  private readonly duration: Histogram<'channel'>;

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
