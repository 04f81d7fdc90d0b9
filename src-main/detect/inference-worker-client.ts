import type { FrameSource, PreparedFrame, PreprocessSpec } from './image-tensor.mjs';
import { WorkerClient } from './worker-client';

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

export interface InferenceRun {
  outputs: Record<string, { data: Float32Array; dims: number[] }>;
  inferenceMs: number;
}

export interface SessionOptions {
  providers: string[];
  intraOpThreads: number;
  /** Whether idle intra-op threads spin (fast wake-up, but they hold their cores). */
  allowSpinning: boolean;
}

/** Something that turns a snapshot into the model's input, off the main thread. */
export interface FramePreparer {
  prepare(source: FrameSource, spec: PreprocessSpec): Promise<PreparedFrame>;
}

/** The inference thread's file, next to this module (also in the bundled app). */
const WORKER_URL = new URL('./inference-worker.mjs', import.meta.url);

/**
 * The thread that owns one InferenceSession: loads the model, runs it on tensors moved to it,
 * and prepares frames itself when there are no frame workers.
 */
export class InferenceWorker implements FramePreparer {
  private readonly thread = new WorkerClient(WORKER_URL);

  get alive(): boolean {
    return this.thread.alive;
  }

  load(modelPath: string, options: SessionOptions): Promise<LoadedSession> {
    return this.thread.request({ type: 'load', modelPath, ...options });
  }

  /** Reads, hashes, decodes and lays out a snapshot (ImageReadError, ImageDecodeError). */
  prepare(source: FrameSource, spec: PreprocessSpec): Promise<PreparedFrame> {
    return this.thread.request({ type: 'prepare', source, spec });
  }

  /** Runs the model; the tensor moves to the inference thread (unusable here afterwards). */
  infer(inputName: string, tensor: Float32Array, dims: number[]): Promise<InferenceRun> {
    return this.thread.request({ type: 'infer', inputName, tensor, dims }, [
      tensor.buffer as ArrayBuffer,
    ]);
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}
