// Runs onnxruntime inference on its own thread: InferenceSession.run blocks the thread it is
// called on for the whole inference, which must never be the main event loop.
// Plain JavaScript so it loads the same in development, tests and the packaged app.
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';

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

async function run({ inputName, data, dims }) {
  if (!session) throw new Error('No model loaded');
  const started = performance.now();
  const results = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
  const outputs = {};
  const transfer = [];
  for (const [name, value] of Object.entries(results)) {
    const array = value.data;
    outputs[name] = { data: array, dims: [...value.dims] };
    transfer.push(array.buffer);
  }
  return { value: { outputs, inferenceMs: performance.now() - started }, transfer };
}

parentPort.on('message', (message) => {
  const { id, type } = message;
  const task =
    type === 'load'
      ? load(message).then((value) => ({ value, transfer: [] }))
      : type === 'run'
        ? run(message)
        : Promise.reject(new Error(`Unknown request ${type}`));
  task.then(
    ({ value, transfer }) => parentPort.postMessage({ id, ok: true, value }, transfer),
    (err) => parentPort.postMessage({ id, ok: false, error: String(err?.message ?? err) }),
  );
});
