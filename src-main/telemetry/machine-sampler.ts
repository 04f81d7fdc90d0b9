import { execFile } from 'node:child_process';
import os from 'node:os';

/** One GPU as `nvidia-smi` reports it. */
export interface GpuReading {
  device: string;
  utilization: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  temperatureC: number | null;
  powerW: number | null;
}

/** The fields asked for, in this order (`--format=csv,noheader,nounits`). */
export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw',
  '--format=csv,noheader,nounits',
];

/** A number, or null for the `[N/A]` / `[Not Supported]` nvidia-smi prints for a missing value. */
const value = (s: string | undefined) => {
  const n = Number(s?.trim());
  return s === undefined || s.trim() === '' || !Number.isFinite(n) ? null : n;
};

/** `nvidia-smi` CSV (no header, no units), one GPU per line. */
export function parseNvidiaSmi(csv: string): GpuReading[] {
  return csv
    .split(/\r?\n/)
    .map((line) => line.split(',').map((f) => f.trim()))
    .filter((f) => f.length >= 7 && f[0] !== '')
    .map(([index, name, util, used, total, temp, power]) => ({
      device: `gpu${index}: ${name}`,
      utilization: value(util),
      memoryUsedMb: value(used),
      memoryTotalMb: value(total),
      temperatureC: value(temp),
      powerW: value(power),
    }));
}

/** The GPUs, or null when `nvidia-smi` is not there or fails (the CPU sampler stands in). */
export function readGpus(command: string, timeoutMs = 5000): Promise<GpuReading[] | null> {
  return new Promise((resolve) => {
    execFile(command, NVIDIA_SMI_ARGS, { timeout: timeoutMs }, (err, stdout) => {
      if (err) return resolve(null);
      const gpus = parseNvidiaSmi(stdout);
      resolve(gpus.length ? gpus : null);
    });
  });
}

/** The machine's CPU use since the last reading (all cores, %), memory, and this process's RSS. */
export class CpuReader {
  private last = this.times();

  private times() {
    let idle = 0;
    let total = 0;
    for (const c of os.cpus()) {
      idle += c.times.idle;
      total += c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    }
    return { idle, total };
  }

  read() {
    const now = this.times();
    const total = now.total - this.last.total;
    const busy = total - (now.idle - this.last.idle);
    this.last = now;
    const mb = (bytes: number) => bytes / 1_048_576;
    return {
      cpuPercent: total > 0 ? Math.round((busy / total) * 1000) / 10 : null,
      memoryUsedMb: Math.round(mb(os.totalmem() - os.freemem())),
      memoryTotalMb: Math.round(mb(os.totalmem())),
      rssMb: Math.round(mb(process.memoryUsage.rss()) * 10) / 10,
    };
  }
}
