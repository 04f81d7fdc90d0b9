import type { FrameSource, PreparedFrame, PreprocessSpec } from './image-tensor.mjs';
import type { FramePreparer } from './inference-worker-client';
import { WorkerClient } from './worker-client';

const WORKER_URL = new URL('./frame-worker.mjs', import.meta.url);

/**
 * Frame workers (`detector.decodeWorkers` of them): read, hash, decode and lay out snapshots
 * beside inference. Each frame goes to the worker with the fewest waiting; a worker that died
 * is replaced on the next frame.
 */
export class FramePool implements FramePreparer {
  private readonly workers: WorkerClient[];

  constructor(readonly size: number) {
    this.workers = Array.from({ length: size }, () => new WorkerClient(WORKER_URL));
  }

  prepare(source: FrameSource, spec: PreprocessSpec): Promise<PreparedFrame> {
    let best = 0;
    for (let i = 0; i < this.workers.length; i += 1) {
      if (!this.workers[i]!.alive) this.workers[i] = new WorkerClient(WORKER_URL);
      if (this.workers[i]!.load < this.workers[best]!.load) best = i;
    }
    return this.workers[best]!.request({ type: 'prepare', source, spec });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }

  /** Closes once the frames already asked for are ready (a setting changed the pool's size). */
  async retire(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.idle()));
    await this.close();
  }
}
