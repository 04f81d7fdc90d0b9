/**
 * The Open Inference Protocol (KServe V2) over HTTP/REST, as NVIDIA Triton, KServe, OpenVINO
 * Model Server and Seldon MLServer speak it: tensors as JSON (`data`, row-major) or, with the
 * binary tensor data extension, as raw little-endian bytes after the JSON header, whose length
 * the `Inference-Header-Content-Length` HTTP header gives. Only FP32 tensors are needed here.
 */

export const HEADER_LENGTH = 'inference-header-content-length';
export const BINARY_EXTENSION = 'binary_tensor_data';

export interface V2TensorMeta {
  name: string;
  datatype: string;
  /** -1 for a dimension the model leaves open. */
  shape: number[];
}

export interface V2ModelMetadata {
  name: string;
  versions?: string[];
  platform?: string;
  inputs: V2TensorMeta[];
  outputs: V2TensorMeta[];
}

export interface Tensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

/** Where a tensor lies in a registered shared-memory region (see v2-shared-memory). */
export interface SharedTensorParams {
  shared_memory_region: string;
  shared_memory_offset?: number;
  shared_memory_byte_size: number;
}

/** A request's tensors placed in shared memory: the input's place and each output's. */
export interface SharedPlacement {
  input: SharedTensorParams;
  outputs: Record<string, SharedTensorParams>;
}

/** A body as the pieces to write one after another (no copy of the tensors into one buffer). */
export interface EncodedRequest {
  chunks: Buffer[];
  length: number;
  headers: Record<string, string>;
}

function encoded(chunks: Buffer[], headers: Record<string, string>): EncodedRequest {
  const length = chunks.reduce((n, c) => n + c.length, 0);
  return { chunks, length, headers: { ...headers, 'content-length': String(length) } };
}

export class V2ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'V2ProtocolError';
  }
}

/** FP32 little-endian bytes of a tensor (a copy when the platform is big-endian). */
export function fp32Bytes(data: Float32Array): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndian) return bytes;
  const copy = Buffer.alloc(bytes.length);
  for (let i = 0; i < data.length; i += 1) copy.writeFloatLE(data[i]!, i * 4);
  return copy;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Float32 values from little-endian bytes: a view of them when they are 4-byte aligned on a
 * little-endian platform (the caller's buffer then backs the tensor), else an aligned copy.
 */
export function fp32From(bytes: Buffer): Float32Array {
  if (bytes.length % 4 !== 0) throw new V2ProtocolError(`${bytes.length} bytes is not FP32 data`);
  if (littleEndian && bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  }
  const out = new Float32Array(bytes.length / 4);
  if (littleEndian) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    for (let i = 0; i < out.length; i += 1) out[i] = bytes.readFloatLE(i * 4);
  }
  return out;
}

/**
 * A JSON header padded with spaces (still the same JSON) to a multiple of 4 bytes, so the
 * binary tensors after it start aligned and the receiver can read them in place.
 */
function paddedHeader(value: unknown): Buffer {
  const text = JSON.stringify(value);
  const length = Buffer.byteLength(text);
  return Buffer.from(text + ' '.repeat((4 - (length % 4)) % 4));
}

const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * An inference request for one FP32 input, asking for the named outputs: JSON, binary tensors
 * after the header, or (`shared`) tensors in shared memory with only JSON sent.
 */
export function encodeInferRequest(o: {
  id: string;
  input: Tensor;
  outputs: string[];
  binary: boolean;
  shared?: SharedPlacement;
}): EncodedRequest {
  const { input, shared } = o;
  if (o.binary || shared) {
    const data = shared ? undefined : fp32Bytes(input.data);
    const header = paddedHeader({
      id: o.id,
      inputs: [
        {
          name: input.name,
          shape: input.dims,
          datatype: 'FP32',
          parameters: shared ? shared.input : { binary_data_size: data!.length },
        },
      ],
      outputs: o.outputs.map((name) => ({
        name,
        parameters: shared?.outputs[name] ?? { binary_data: o.binary },
      })),
      ...(o.binary && { parameters: { binary_data_output: true } }),
    });
    if (!data) return encoded([header], { 'content-type': 'application/json' });
    return encoded([header, data], {
      'content-type': 'application/octet-stream',
      [HEADER_LENGTH]: String(header.length),
    });
  }
  const body = Buffer.from(
    JSON.stringify({
      id: o.id,
      inputs: [
        { name: input.name, shape: input.dims, datatype: 'FP32', data: Array.from(input.data) },
      ],
      outputs: o.outputs.map((name) => ({ name })),
    }),
  );
  return encoded([body], { 'content-type': 'application/json' });
}

export interface JsonTensor {
  name: string;
  shape: number[];
  datatype: string;
  data?: number[];
  parameters?: { binary_data_size?: number } & Partial<SharedTensorParams>;
}

/** Splits a V2 body into its JSON header and the binary data after it. */
export function splitBody(
  body: Buffer,
  headerLength: string | null | undefined,
): { json: Record<string, unknown>; binary: Buffer } {
  const n =
    headerLength === null || headerLength === undefined ? body.length : Number(headerLength);
  if (!Number.isInteger(n) || n < 0 || n > body.length) {
    throw new V2ProtocolError(
      `Inference-Header-Content-Length ${headerLength} does not fit the body`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body.subarray(0, n).toString('utf8'));
  } catch {
    throw new V2ProtocolError('the header is not JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new V2ProtocolError('the header is not a JSON object');
  }
  return { json: json as Record<string, unknown>, binary: body.subarray(n) };
}

/**
 * Tensors of a request's inputs or a response's outputs: JSON `data`, binary slices in the
 * order the tensors are listed, or bytes `shared` finds for a tensor (in shared memory; it
 * answers undefined for one that is not there). FP32 only; sizes checked against shapes.
 */
export function readTensors(
  list: unknown,
  binary: Buffer,
  what: 'inputs' | 'outputs',
  shared?: (tensor: JsonTensor, bytes: number) => Buffer | undefined,
): Tensor[] {
  if (!Array.isArray(list)) throw new V2ProtocolError(`no ${what} list`);
  let offset = 0;
  return (list as JsonTensor[]).map((t) => {
    if (typeof t?.name !== 'string' || !Array.isArray(t.shape)) {
      throw new V2ProtocolError(`an entry of ${what} has no name or shape`);
    }
    if (t.datatype !== 'FP32') {
      throw new V2ProtocolError(
        `${t.name}: datatype ${String(t.datatype)} (only FP32 is supported)`,
      );
    }
    const dims = t.shape.map(Number);
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new V2ProtocolError(`${t.name}: shape [${t.shape.join(', ')}] is not concrete`);
    }
    const size = t.parameters?.binary_data_size;
    const placed = shared?.(t, count(dims) * 4);
    let data: Float32Array;
    if (placed) {
      data = fp32From(placed);
    } else if (size !== undefined) {
      if (!Number.isInteger(size) || size < 0 || offset + size > binary.length) {
        throw new V2ProtocolError(`${t.name}: binary_data_size ${size} runs past the body`);
      }
      data = fp32From(binary.subarray(offset, offset + size));
      offset += size;
    } else if (Array.isArray(t.data)) {
      data = Float32Array.from(t.data.flat<unknown[], 20>(20) as number[]);
    } else {
      throw new V2ProtocolError(`${t.name}: neither data nor binary_data_size`);
    }
    if (data.length !== count(dims)) {
      throw new V2ProtocolError(
        `${t.name}: ${data.length} values for shape [${dims.join(', ')}] (${count(dims)})`,
      );
    }
    return { name: t.name, dims, data };
  });
}

/**
 * An inference response: JSON (`data`) for each output, or binary ones when asked; an output
 * the server already wrote to shared memory is listed with its place and no data.
 */
export function encodeInferResponse(o: {
  id: string | undefined;
  model: string;
  outputs: (Tensor & { shared?: SharedTensorParams })[];
  binary: boolean;
}): EncodedRequest {
  const placed = (t: { name: string; dims: number[]; shared?: SharedTensorParams }) => ({
    name: t.name,
    shape: t.dims,
    datatype: 'FP32',
    parameters: { ...t.shared, shared_memory_byte_size: count(t.dims) * 4 },
  });
  if (!o.binary) {
    const body = Buffer.from(
      JSON.stringify({
        model_name: o.model,
        ...(o.id !== undefined && { id: o.id }),
        outputs: o.outputs.map((t) =>
          t.shared
            ? placed(t)
            : { name: t.name, shape: t.dims, datatype: 'FP32', data: Array.from(t.data) },
        ),
      }),
    );
    return encoded([body], { 'content-type': 'application/json' });
  }
  const chunks = o.outputs.map((t) => (t.shared ? undefined : fp32Bytes(t.data)));
  const header = paddedHeader({
    model_name: o.model,
    ...(o.id !== undefined && { id: o.id }),
    outputs: o.outputs.map((t, i) =>
      t.shared
        ? placed(t)
        : {
            name: t.name,
            shape: t.dims,
            datatype: 'FP32',
            parameters: { binary_data_size: chunks[i]!.length },
          },
    ),
  });
  return encoded([header, ...chunks.filter((c) => c !== undefined)], {
    'content-type': 'application/octet-stream',
    [HEADER_LENGTH]: String(header.length),
  });
}
