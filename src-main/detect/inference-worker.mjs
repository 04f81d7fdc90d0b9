// The inference thread: owns the InferenceSession and runs it. InferenceSession.run blocks
// the thread it is called on for the whole inference, so it never runs on the main event
// loop. With no frame workers it also prepares frames (read, hash, decode, tensor): the decode
// itself runs on libuv's pool, beside a running inference.
// Plain JavaScript so it loads the same in development, tests and the packaged app.
import ort from 'onnxruntime-node';
import { prepareFrame } from './image-tensor.mjs';
import { preparedReply, serve } from './worker-rpc.mjs';

let session;

function metadata(list) {
  return list.map((m) => ({ name: m.name, shape: 'shape' in m ? [...m.shape] : [] }));
}

async function load({ modelPath, providers, intraOpThreads, allowSpinning }) {
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
        // Idle intra-op threads spin by default, taking the cores decoding needs.
        extra: { session: { intra_op: { allow_spinning: allowSpinning ? '1' : '0' } } },
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

/** Runs the model on a prepared tensor; outputs move back without copying. */
async function infer({ inputName, tensor, dims }) {
  if (!session) throw new Error('No model loaded');
  const t0 = performance.now();
  const results = await session.run({ [inputName]: new ort.Tensor('float32', tensor, dims) });
  const inferenceMs = performance.now() - t0;
  const outputs = {};
  const transfer = [];
  for (const [name, value] of Object.entries(results)) {
    const array = value.data;
    outputs[name] = { data: array, dims: [...value.dims] };
    transfer.push(array.buffer);
  }
  return { value: { outputs, inferenceMs }, transfer };
}

serve({
  load: (message) => load(message).then((value) => ({ value })),
  prepare: ({ source, spec }) => prepareFrame(source, spec).then(preparedReply),
  infer,
});
