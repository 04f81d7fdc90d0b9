// The worker side of the detector's threads: answers the parent's requests in the order they
// finish, moving typed arrays back without copying, and says which kind of error a failure
// was so the parent can rethrow the same class. Plain JavaScript, as the workers are.
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ImageDecodeError, ImageReadError } from './image-tensor.mjs';

/**
 * Detection yields to the main thread: on Linux this thread (and the threads it starts, such
 * as onnxruntime's intra-op pool) runs at nice 10, so when the cores are busy the event loop
 * that answers the UI and the cameras still gets one at once. Throughput is unchanged while
 * the main thread has nothing to do. Elsewhere the thread keeps the process's priority.
 */
function yieldToMainThread() {
  if (process.platform !== 'linux') return;
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid !== process.pid) os.setPriority(tid, 10);
  } catch {
    // No /proc, or not allowed: keep the priority.
  }
}

function errorKind(err) {
  if (err instanceof ImageDecodeError) return 'decode';
  if (err instanceof ImageReadError) return 'read';
  return undefined;
}

/** tasks: request type → (message) => Promise<{ value, transfer? }>. */
export function serve(tasks) {
  yieldToMainThread();
  parentPort.on('message', (message) => {
    const { id, type } = message;
    const run = tasks[type];
    const task = run
      ? Promise.resolve().then(() => run(message))
      : Promise.reject(new Error(`Unknown request ${type}`));
    task.then(
      ({ value, transfer = [] }) => parentPort.postMessage({ id, ok: true, value }, transfer),
      (err) =>
        parentPort.postMessage({
          id,
          ok: false,
          error: String(err?.message ?? err),
          kind: errorKind(err),
          code: err?.code,
        }),
    );
  });
}

/** A frame made ready for the model, its tensor moved (not copied) to the parent. */
export function preparedReply(prepared) {
  return { value: prepared, transfer: [prepared.tensor.buffer] };
}
