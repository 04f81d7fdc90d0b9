// The inference thread: decodes a snapshot, lays out its input tensor and runs the model.
// InferenceSession.run blocks the thread it is called on for the whole inference, and the
// resize is plain JavaScript: neither may run on the main event loop.
// Plain JavaScript so it loads the same in development, tests and the packaged app.
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { ImageDecodeError, decodeRgb, layoutTensor } from './image-tensor.mjs';

let session;

function metadata(list) {
  return list.map((m) => ({ name: m.name, shape: 'shape' in m ? [...m.shape] : [] }));
}

async function load({ modelPath, providers, intraOpThreads }) {
  if (session) await session.release();
  session = undefined;
  const errors = [];
  for (const ep of providers) {
    try {
      session = await ort.InferenceSession.create(modelPath, {
        executionProviders: [ep],
        intraOpNumThreads: intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // Some exports list initializers as inputs: one warning per initializer otherwise.
        logSeverityLevel: 3,
      });
      return {
        provider: ep,
        inputNames: [...session.inputNames],
        inputs: metadata(session.inputMetadata),
        outputs: metadata(session.outputMetadata),
      };
    } catch (err) {
      errors.push(`${ep}: ${String(err?.message ?? err).split('\n')[0]}`);
    }
  }
  throw new Error(`No execution provider could load the model (${errors.join('; ')})`);
}

async function infer(inputName, data, dims) {
  if (!session) throw new Error('No model loaded');
  const results = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
  const outputs = {};
  const transfer = [];
  for (const [name, value] of Object.entries(results)) {
    const array = value.data;
    outputs[name] = { data: array, dims: [...value.dims] };
    transfer.push(array.buffer);
  }
  return { outputs, transfer };
}

/** An encoded image: decode, resize into the model's input, run. */
async function detect({ image, spec, inputName }) {
  const t0 = performance.now();
  const decoded = await decodeRgb(image);
  const t1 = performance.now();
  const { tensor, transform } = layoutTensor(decoded, spec);
  const t2 = performance.now();
  const { outputs, transfer } = await infer(inputName, tensor, [1, 3, spec.height, spec.width]);
  const t3 = performance.now();
  return {
    value: {
      outputs,
      transform,
      timings: { decodeMs: t1 - t0, preprocessMs: t2 - t1, inferenceMs: t3 - t2 },
    },
    transfer,
  };
}

const TASKS = {
  load: (message) => load(message).then((value) => ({ value, transfer: [] })),
  detect,
};

parentPort.on('message', (message) => {
  const { id, type } = message;
  const task = TASKS[type]?.(message) ?? Promise.reject(new Error(`Unknown request ${type}`));
  task.then(
    ({ value, transfer }) => parentPort.postMessage({ id, ok: true, value }, transfer),
    (err) =>
      parentPort.postMessage({
        id,
        ok: false,
        error: String(err?.message ?? err),
        decode: err instanceof ImageDecodeError,
      }),
  );
});
