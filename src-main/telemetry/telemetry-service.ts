import type { MachineSample, PipelineTelemetry } from '../../src-shared/telemetry';
import { PIPELINE_STAGES } from '../../src-shared/telemetry';
import { AppError } from '../../src-shared/errors';
import type { DomainEventBus } from '../common/domain-events';
import { percentile } from '../common/stats';
import type { Logger } from '../system';
import { CpuReader, readGpus } from './machine-sampler';
import type { TelemetryRepository } from './telemetry-repository';

const DOWNSAMPLE_EVERY_MS = 10 * 60_000;

/**
 * Samples the machine every `sampleMs`: each GPU `nvidia-smi` lists (utilisation, memory,
 * temperature, power) or, without one, the CPU and memory, with the detector's inferences
 * (mean model time, count) and ingest queue depth over the interval. Raw samples are folded
 * into minutes after a day and dropped after 30 days. Also answers per-stage pipeline
 * latency over a window.
 */
export class TelemetryService {
  private timer?: NodeJS.Timeout;
  private downsampleTimer?: NodeJS.Timeout;
  private readonly cpu = new CpuReader();
  private inferenceMs = 0;
  private inferences = 0;
  private queueDepth: number | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private sampling?: Promise<void>;
  private readonly log: Logger;

  constructor(
    private readonly d: {
      telemetry: TelemetryRepository;
      bus: DomainEventBus;
      logger: Logger;
      /** How often to sample (0: never on a timer; tests call `sample()`). */
      sampleMs: number;
      /** The `nvidia-smi` to run (a path, or a name looked up on PATH). */
      nvidiaSmi: string;
      now?: () => number;
    },
  ) {
    this.log = d.logger.child({ module: 'telemetry' });
  }

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  start(): void {
    this.unsubscribe.push(
      this.d.bus.on('image.processed', (i) => {
        this.inferenceMs += i.inferenceMs;
        this.inferences += 1;
      }),
      this.d.bus.on('ingest.statusChanged', (s) => (this.queueDepth = s.queueDepth)),
    );
    if (this.d.sampleMs > 0) {
      this.timer = setInterval(() => void this.sample(), this.d.sampleMs).unref();
      this.downsampleTimer = setInterval(() => void this.downsample(), DOWNSAMPLE_EVERY_MS).unref();
      void this.downsample();
    }
  }

  /** One sample of every device, with the inferences since the last one. */
  async sample(): Promise<void> {
    if (this.sampling) return this.sampling;
    this.sampling = (async () => {
      try {
        const at = new Date(this.now()).toISOString();
        const cpu = this.cpu.read();
        const work = {
          inferenceMs: this.inferences ? this.inferenceMs / this.inferences : null,
          inferences: this.inferences,
          queueDepth: this.queueDepth,
          cpuPercent: cpu.cpuPercent,
          rssMb: cpu.rssMb,
        };
        this.inferenceMs = 0;
        this.inferences = 0;
        const gpus = await readGpus(this.d.nvidiaSmi);
        await this.d.telemetry.insertSamples(
          gpus
            ? gpus.map((g) => ({ at, ...g, ...work }))
            : [
                {
                  at,
                  device: 'cpu',
                  utilization: cpu.cpuPercent,
                  memoryUsedMb: cpu.memoryUsedMb,
                  memoryTotalMb: cpu.memoryTotalMb,
                  temperatureC: null,
                  powerW: null,
                  ...work,
                },
              ],
        );
      } catch (err) {
        this.log.warn({ err }, 'machine sample failed');
      } finally {
        this.sampling = undefined;
      }
    })();
    return this.sampling;
  }

  async downsample(): Promise<void> {
    try {
      await this.d.telemetry.downsample(this.now());
    } catch (err) {
      this.log.warn({ err }, 'folding machine samples failed');
    }
  }

  stats(input: {
    from?: string;
    to?: string;
    resolution?: 'raw' | 'minute';
  }): Promise<MachineSample[]> {
    const to = input.to ? Date.parse(input.to) : this.now();
    const from = input.from ? Date.parse(input.from) : to - 86_400_000;
    if (from > to) throw new AppError('invalid_input', '"from" must not be after "to"');
    return this.d.telemetry.samples(
      new Date(from).toISOString(),
      new Date(to).toISOString(),
      input.resolution,
    );
  }

  /** p50 / p95 / p99 of each stage for the work that finished in the last `window` seconds. */
  async pipeline(windowSeconds = 3600): Promise<PipelineTelemetry> {
    const since = new Date(this.now() - windowSeconds * 1000).toISOString();
    const durations = await this.d.telemetry.stageDurations(since);
    const r = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    return {
      windowSeconds,
      stages: PIPELINE_STAGES.map((stage) => {
        const ms = durations[stage];
        return {
          stage,
          count: ms.length,
          p50Ms: r(percentile(ms, 50)),
          p95Ms: r(percentile(ms, 95)),
          p99Ms: r(percentile(ms, 99)),
        };
      }),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.downsampleTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    await this.sampling;
  }
}
