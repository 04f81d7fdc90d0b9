/** Machine and inference samples, and per-stage pipeline latency. */

export interface MachineSample {
  at: string;
  /** `gpu0: NVIDIA …` for each GPU `nvidia-smi` lists, `cpu` where there is none. */
  device: string;
  /** `raw` (one sample) or `minute` (the average of `samples` raw ones). */
  resolution: 'raw' | 'minute';
  samples: number;
  /** GPU utilisation, or the machine's CPU use where there is no GPU (%). */
  utilization: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  temperatureC: number | null;
  powerW: number | null;
  /** The machine's CPU use (%), also beside a GPU. */
  cpuPercent: number | null;
  /** This app's resident memory. */
  rssMb: number | null;
  /** Mean model time per image over the sample, and how many images. */
  inferenceMs: number | null;
  inferences: number | null;
  queueDepth: number | null;
}

export const PIPELINE_STAGES = [
  'arrival_to_detected',
  'detected_to_event',
  'event_to_alert',
  'alert_to_delivered',
] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export interface StageLatency {
  stage: PipelineStage;
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface PipelineTelemetry {
  windowSeconds: number;
  stages: StageLatency[];
}
