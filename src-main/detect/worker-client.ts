import { Worker } from 'node:worker_threads';
import { ImageDecodeError, ImageReadError } from './image-tensor.mjs';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
  kind?: 'decode' | 'read';
  code?: string;
}

/**
 * The parent side of one detector thread (worker-rpc.mjs on the other side): numbered
 * requests, typed arrays moved rather than copied, image errors rethrown as their classes,
 * and every waiting request failed at once if the thread dies.
 */
export class WorkerClient {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Pending>();
  private nextId = 1;
  private exitError?: Error;
  private idleWaiters: (() => void)[] = [];

  constructor(url: URL) {
    this.worker = new Worker(url);
    this.worker.on('message', (m: Reply) => {
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else if (m.kind === 'decode')
        p.reject(new ImageDecodeError(m.error ?? 'Image does not decode'));
      else if (m.kind === 'read')
        p.reject(new ImageReadError(m.error ?? 'File cannot be read', m.code));
      else p.reject(new Error(m.error ?? 'Worker request failed'));
      if (this.waiting.size === 0) this.notifyIdle();
    });
    const fail = (err: Error) => {
      this.exitError = err;
      for (const p of this.waiting.values()) p.reject(err);
      this.waiting.clear();
      this.notifyIdle();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`Detector thread exited (${code})`)));
  }

  /** False once the thread died; its owner then starts a new one. */
  get alive(): boolean {
    return this.exitError === undefined;
  }

  /** Requests sent and not yet answered. */
  get load(): number {
    return this.waiting.size;
  }

  request<T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once every request sent so far has been answered. */
  idle(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.exitError ??= new Error('Detector thread closed');
    await this.worker.terminate();
  }
}
