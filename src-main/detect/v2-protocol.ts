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

/** Float32 values from little-endian bytes (copied: the result owns aligned memory). */
export function fp32From(bytes: Buffer): Float32Array {
  if (bytes.length % 4 !== 0) throw new V2ProtocolError(`${bytes.length} bytes is not FP32 data`);
  const out = new Float32Array(bytes.length / 4);
  if (littleEndian) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    for (let i = 0; i < out.length; i += 1) out[i] = bytes.readFloatLE(i * 4);
  }
  return out;
}

const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** An inference request for one FP32 input, asking for the named outputs. */
export function encodeInferRequest(o: {
  id: string;
  input: Tensor;
  outputs: string[];
  binary: boolean;
}): EncodedRequest {
  const { input } = o;
  if (o.binary) {
    const data = fp32Bytes(input.data);
    const header = Buffer.from(
      JSON.stringify({
        id: o.id,
        inputs: [
          {
            name: input.name,
            shape: input.dims,
            datatype: 'FP32',
            parameters: { binary_data_size: data.length },
          },
        ],
        outputs: o.outputs.map((name) => ({ name, parameters: { binary_data: true } })),
        parameters: { binary_data_output: true },
      }),
    );
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

interface JsonTensor {
  name: string;
  shape: number[];
  datatype: string;
  data?: number[];
  parameters?: { binary_data_size?: number };
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
 * Tensors of a request's inputs or a response's outputs: JSON `data`, or binary slices in the
 * order the tensors are listed. FP32 only; sizes checked against shapes.
 */
export function readTensors(list: unknown, binary: Buffer, what: 'inputs' | 'outputs'): Tensor[] {
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
    let data: Float32Array;
    if (size !== undefined) {
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

/** An inference response: JSON (`data`) for each output, or binary ones when asked. */
export function encodeInferResponse(o: {
  id: string | undefined;
  model: string;
  outputs: Tensor[];
  binary: boolean;
}): EncodedRequest {
  if (!o.binary) {
    const body = Buffer.from(
      JSON.stringify({
        model_name: o.model,
        ...(o.id !== undefined && { id: o.id }),
        outputs: o.outputs.map((t) => ({
          name: t.name,
          shape: t.dims,
          datatype: 'FP32',
          data: Array.from(t.data),
        })),
      }),
    );
    return encoded([body], { 'content-type': 'application/json' });
  }
  const chunks = o.outputs.map((t) => fp32Bytes(t.data));
  const header = Buffer.from(
    JSON.stringify({
      model_name: o.model,
      ...(o.id !== undefined && { id: o.id }),
      outputs: o.outputs.map((t, i) => ({
        name: t.name,
        shape: t.dims,
        datatype: 'FP32',
        parameters: { binary_data_size: chunks[i]!.length },
      })),
    }),
  );
  return encoded([header, ...chunks], {
    'content-type': 'application/octet-stream',
    [HEADER_LENGTH]: String(header.length),
  });
}
