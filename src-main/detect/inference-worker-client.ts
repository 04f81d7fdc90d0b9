import { Worker } from 'node:worker_threads';

export interface TensorMeta {
  name: string;
  shape: (number | string)[];
}

export interface LoadedSession {
  provider: string;
  inputNames: string[];
  inputs: TensorMeta[];
  outputs: TensorMeta[];
}

export interface RunResult {
  outputs: Record<string, { data: Float32Array; dims: number[] }>;
  inferenceMs: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** The inference thread's file, next to this module (also in the bundled app). */
const WORKER_URL = new URL('./inference-worker.mjs', import.meta.url);

/**
 * A worker thread that owns one InferenceSession. Requests are answered in order; the main
 * thread only posts tensors (transferred, not copied) and receives outputs.
 */
export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitError?: Error;

  constructor() {
    this.worker = new Worker(WORKER_URL);
    this.worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error ?? 'inference failed'));
    });
    const fail = (err: Error) => {
      this.exitError = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`Inference thread exited (${code})`)));
  }

  /** False once the thread died; the detector then starts a new one. */
  get alive(): boolean {
    return this.exitError === undefined;
  }

  private request<T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  load(modelPath: string, providers: string[], intraOpThreads: number): Promise<LoadedSession> {
    return this.request({ type: 'load', modelPath, providers, intraOpThreads });
  }

  run(inputName: string, data: Float32Array, dims: number[]): Promise<RunResult> {
    return this.request({ type: 'run', inputName, data, dims }, [data.buffer as ArrayBuffer]);
  }

  async close(): Promise<void> {
    this.exitError ??= new Error('Inference thread closed');
    await this.worker.terminate();
  }
}
