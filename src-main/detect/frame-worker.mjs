// A frame worker: reads, hashes, decodes and lays out snapshots for the model, so that work
// runs beside inference rather than on the main thread or in the inference thread's turn.
import { prepareFrame } from './image-tensor.mjs';
import { preparedReply, serve } from './worker-rpc.mjs';

serve({
  prepare: ({ source, spec }) => prepareFrame(source, spec).then(preparedReply),
});
