/**
 * A loopback inference server for tests, written from the Open Inference Protocol (KServe V2)
 * REST specification and its binary tensor data extension — not from the app's own server —
 * so the client is checked against the published protocol: `GET /v2`, `/v2/health/ready`,
 * `/v2/models/{m}[/versions/{v}]`, `…/ready`, and `POST …/infer` with JSON `data` or binary
 * tensors after a JSON header whose byte length is in `Inference-Header-Content-Length`.
 * It runs a real onnxruntime session on the given model and can be told to be slow, fail,
 * leave shapes open (-1), or not offer the binary extension.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ort from 'onnxruntime-node';

export interface V2ServerOptions {
  modelName: string;
  modelBytes: Uint8Array;
  /** The input side the model takes (its metadata may still say -1). */
  size: number;
  /** Report -1 for the batch, height and width dimensions and output shapes. */
  dynamicShapes?: boolean;
  /** Offer the binary tensor data extension (default true). */
  binary?: boolean;
}

export interface V2Server {
  url: string;
  /** Requests to `/infer`, with how their tensors came. */
  infers: { binaryIn: boolean; binaryOut: boolean; id: unknown }[];
  /** Milliseconds each inference waits before answering. */
  delayMs: number;
  /** Answer every request with this status and `{"error": …}` while set. */
  failWith: number | null;
  ready: boolean;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}

export async function startV2Server(o: V2ServerOptions): Promise<V2Server> {
  const session = await ort.InferenceSession.create(o.modelBytes);
  const inputName = session.inputNames[0]!;
  const probe = await session.run({
    [inputName]: new ort.Tensor('float32', new Float32Array(3 * o.size * o.size), [
      1,
      3,
      o.size,
      o.size,
    ]),
  });
  const outputShapes = Object.fromEntries(session.outputNames.map((n) => [n, [...probe[n]!.dims]]));
  const state: V2Server = {
    url: '',
    infers: [],
    delayMs: 0,
    failWith: null,
    ready: true,
    close: () => Promise.resolve(),
  };
  const base = `/v2/models/${o.modelName}`;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = (req.url ?? '/').split('?')[0]!.replace(/\/versions\/[^/]+/, '');
        if (state.failWith !== null)
          return send(res, state.failWith, { error: 'replica is failing' });
        if (req.method === 'GET' && path === '/v2') {
          return send(res, 200, {
            name: 'test-v2',
            version: '2.0',
            extensions: o.binary === false ? [] : ['binary_tensor_data'],
          });
        }
        if (path === '/v2/health/ready' || path === `${base}/ready`) {
          return state.ready ? send(res, 200, {}) : send(res, 503, { error: 'not ready' });
        }
        if (req.method === 'GET' && path === base) {
          const open = (dims: number[]) => (o.dynamicShapes ? dims.map(() => -1) : dims);
          return send(res, 200, {
            name: o.modelName,
            versions: ['1'],
            platform: 'onnxruntime_onnx',
            inputs: [
              {
                name: inputName,
                datatype: 'FP32',
                shape: o.dynamicShapes ? [-1, 3, -1, -1] : [1, 3, o.size, o.size],
              },
            ],
            outputs: session.outputNames.map((n) => ({
              name: n,
              datatype: 'FP32',
              shape: open(outputShapes[n]!),
            })),
          });
        }
        if (req.method === 'POST' && path === `${base}/infer`) {
          const body = Buffer.concat(chunks);
          const headerLength = req.headers['inference-header-content-length'];
          const jsonEnd = headerLength === undefined ? body.length : Number(headerLength);
          const request = JSON.parse(body.subarray(0, jsonEnd).toString('utf8')) as {
            id?: unknown;
            inputs: {
              name: string;
              shape: number[];
              datatype: string;
              data?: number[];
              parameters?: { binary_data_size?: number };
            }[];
            outputs?: { name: string; parameters?: { binary_data?: boolean } }[];
            parameters?: { binary_data_output?: boolean };
          };
          const input = request.inputs[0]!;
          let values: Float32Array;
          const size = input.parameters?.binary_data_size;
          if (size !== undefined) {
            const raw = body.subarray(jsonEnd, jsonEnd + size);
            values = new Float32Array(size / 4);
            for (let i = 0; i < values.length; i += 1) values[i] = raw.readFloatLE(i * 4);
          } else {
            values = Float32Array.from(input.data ?? []);
          }
          const expected = input.shape.reduce((a, b) => a * b, 1);
          if (input.datatype !== 'FP32' || values.length !== expected) {
            return send(res, 400, {
              error: `input ${input.name}: ${values.length} values for [${input.shape.join(',')}]`,
            });
          }
          if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
          // The fixture graph ignores its input: run it at its own size.
          const out = await session.run({
            [inputName]: new ort.Tensor('float32', new Float32Array(3 * o.size * o.size), [
              1,
              3,
              o.size,
              o.size,
            ]),
          });
          const wanted: { name: string; parameters?: { binary_data?: boolean } }[] = request.outputs
            ?.length
            ? request.outputs
            : session.outputNames.map((name) => ({ name }));
          const binaryOut =
            request.parameters?.binary_data_output === true ||
            wanted.some((w) => w.parameters?.binary_data === true);
          state.infers.push({ binaryIn: size !== undefined, binaryOut, id: request.id });
          const tensors = wanted.map((w) => ({ name: w.name, t: out[w.name]! }));
          if (!binaryOut) {
            return send(res, 200, {
              model_name: o.modelName,
              id: request.id,
              outputs: tensors.map(({ name, t }) => ({
                name,
                shape: [...t.dims],
                datatype: 'FP32',
                data: Array.from(t.data as Float32Array),
              })),
            });
          }
          const blobs = tensors.map(({ t }) => {
            const data = t.data as Float32Array;
            const b = Buffer.alloc(data.length * 4);
            data.forEach((v, i) => b.writeFloatLE(v, i * 4));
            return b;
          });
          const header = Buffer.from(
            JSON.stringify({
              model_name: o.modelName,
              id: request.id,
              outputs: tensors.map(({ name, t }, i) => ({
                name,
                shape: [...t.dims],
                datatype: 'FP32',
                parameters: { binary_data_size: blobs[i]!.length },
              })),
            }),
          );
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'inference-header-content-length': String(header.length),
          });
          return res.end(Buffer.concat([header, ...blobs]));
        }
        return send(res, 404, { error: `no route ${req.method} ${path}` });
      })().catch((err: unknown) => send(res, 500, { error: (err as Error).message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await session.release();
  };
  return state;
}
