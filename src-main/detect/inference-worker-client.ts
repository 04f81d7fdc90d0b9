import { Worker } from 'node:worker_threads';
import type { InputTransform, PreprocessSpec } from './image-tensor.mjs';
import { ImageDecodeError } from './image-tensor.mjs';

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

export interface DetectRun {
  outputs: Record<string, { data: Float32Array; dims: number[] }>;
  transform: InputTransform;
  timings: { decodeMs: number; preprocessMs: number; inferenceMs: number };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** The inference thread's file, next to this module (also in the bundled app). */
const WORKER_URL = new URL('./inference-worker.mjs', import.meta.url);

/**
 * A worker thread that owns one InferenceSession. Requests are answered in order; the main
 * thread posts encoded images (or tensors, transferred) and receives outputs.
 */
export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitError?: Error;

  constructor() {
    this.worker = new Worker(WORKER_URL);
    this.worker.on(
      'message',
      (m: { id: number; ok: boolean; value?: unknown; error?: string; decode?: boolean }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else if (m.decode) p.reject(new ImageDecodeError(m.error ?? 'Image does not decode'));
        else p.reject(new Error(m.error ?? 'inference failed'));
      },
    );
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

  private request<T>(message: Record<string, unknown>): Promise<T> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  load(modelPath: string, providers: string[], intraOpThreads: number): Promise<LoadedSession> {
    return this.request({ type: 'load', modelPath, providers, intraOpThreads });
  }

  /**
   * Decodes an encoded image, lays out the tensor the spec describes and runs the model, all
   * on the inference thread. A file that does not decode rejects with ImageDecodeError.
   */
  detect(image: Buffer, spec: PreprocessSpec, inputName: string): Promise<DetectRun> {
    return this.request({ type: 'detect', image, spec, inputName });
  }

  async close(): Promise<void> {
    this.exitError ??= new Error('Inference thread closed');
    await this.worker.terminate();
  }
}
