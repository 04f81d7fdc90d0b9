/**
 * A loopback inference server for tests, written from the Open Inference Protocol (KServe V2)
 * REST specification and its binary tensor data extension — not from the app's own server —
 * so the client is checked against the published protocol: `GET /v2`, `/v2/health/ready`,
 * `/v2/models/{m}[/versions/{v}]`, `…/ready`, and `POST …/infer` with JSON `data` or binary
 * tensors after a JSON header whose byte length is in `Inference-Header-Content-Length`.
 * It runs a real onnxruntime session on the given model and can be told to be slow, fail,
 * leave shapes open (-1), or not offer the binary extension. With `sharedMemory` it also
 * speaks Triton's system shared-memory extension (`/v2/systemsharedmemory/...`: regions named
 * by POSIX shared-memory keys, which on Linux are files under /dev/shm).
 */
import fs from 'node:fs';
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
  /** Offer the system shared-memory extension. */
  sharedMemory?: boolean;
}

interface ShmParams {
  shared_memory_region?: string;
  shared_memory_offset?: number;
  shared_memory_byte_size?: number;
}

export interface V2Server {
  url: string;
  /** Requests to `/infer`, with how their tensors came. */
  infers: {
    binaryIn: boolean;
    binaryOut: boolean;
    sharedIn: boolean;
    sharedOut: boolean;
    id: unknown;
  }[];
  /** Registered shared-memory regions by name. */
  regions: Map<string, { key: string; offset: number; byteSize: number }>;
  /** Milliseconds each inference waits before answering. */
  delayMs: number;
  /** Answer every request with this status and `{"error": …}` while set. */
  failWith: number | null;
  ready: boolean;
  close(): Promise<void>;
}

/** A POSIX shared-memory key's file on Linux. */
const shmFile = (key: string) => `/dev/shm/${key.replace(/^\//, '')}`;

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
    regions: new Map(),
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
            extensions: [
              ...(o.binary === false ? [] : ['binary_tensor_data']),
              ...(o.sharedMemory ? ['system_shared_memory'] : []),
            ],
          });
        }
        const shm =
          /^\/v2\/systemsharedmemory(?:\/region\/([^/]+))?\/(register|unregister|status)$/.exec(
            path,
          );
        if (o.sharedMemory && shm) {
          const name = shm[1] && decodeURIComponent(shm[1]);
          if (shm[2] === 'register') {
            const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              key: string;
              offset?: number;
              byte_size: number;
            };
            if (state.regions.has(name!)) return send(res, 400, { error: 'already registered' });
            if (!fs.existsSync(shmFile(b.key))) return send(res, 400, { error: 'no such key' });
            state.regions.set(name!, { key: b.key, offset: b.offset ?? 0, byteSize: b.byte_size });
            return send(res, 200, {});
          }
          if (shm[2] === 'unregister') {
            if (name) state.regions.delete(name);
            else state.regions.clear();
            return send(res, 200, {});
          }
          return send(
            res,
            200,
            [...state.regions].map(([n, r]) => ({
              name: n,
              key: r.key,
              offset: r.offset,
              byte_size: r.byteSize,
            })),
          );
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
              parameters?: { binary_data_size?: number } & ShmParams;
            }[];
            outputs?: { name: string; parameters?: { binary_data?: boolean } & ShmParams }[];
            parameters?: { binary_data_output?: boolean };
          };
          const input = request.inputs[0]!;
          let values: Float32Array;
          const size = input.parameters?.binary_data_size;
          const sharedIn = input.parameters?.shared_memory_region;
          if (sharedIn !== undefined) {
            const region = state.regions.get(sharedIn);
            if (!region) return send(res, 400, { error: `region ${sharedIn} is not registered` });
            const raw = Buffer.alloc(input.parameters!.shared_memory_byte_size ?? 0);
            const fd = fs.openSync(shmFile(region.key), 'r');
            fs.readSync(
              fd,
              raw,
              0,
              raw.length,
              region.offset + (input.parameters!.shared_memory_offset ?? 0),
            );
            fs.closeSync(fd);
            values = new Float32Array(raw.length / 4);
            for (let i = 0; i < values.length; i += 1) values[i] = raw.readFloatLE(i * 4);
          } else if (size !== undefined) {
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
          const wanted: { name: string; parameters?: { binary_data?: boolean } & ShmParams }[] =
            request.outputs?.length
              ? request.outputs
              : session.outputNames.map((name) => ({ name }));
          const binaryOut =
            request.parameters?.binary_data_output === true ||
            wanted.some((w) => w.parameters?.binary_data === true);
          const tensors = wanted.map((w) => ({ name: w.name, t: out[w.name]! }));
          // Outputs asked into shared memory are written there and listed without data.
          const placed = new Set<string>();
          for (const w of wanted) {
            const p = w.parameters;
            if (p?.shared_memory_region === undefined) continue;
            const region = state.regions.get(p.shared_memory_region);
            if (!region) {
              return send(res, 400, {
                error: `region ${p.shared_memory_region} is not registered`,
              });
            }
            const data = out[w.name]!.data as Float32Array;
            const b = Buffer.alloc(data.length * 4);
            data.forEach((v, i) => b.writeFloatLE(v, i * 4));
            if (b.length > (p.shared_memory_byte_size ?? 0)) {
              return send(res, 400, { error: `output ${w.name} does not fit its region` });
            }
            const fd = fs.openSync(shmFile(region.key), 'r+');
            fs.writeSync(fd, b, 0, b.length, region.offset + (p.shared_memory_offset ?? 0));
            fs.closeSync(fd);
            placed.add(w.name);
          }
          state.infers.push({
            binaryIn: size !== undefined,
            binaryOut,
            sharedIn: sharedIn !== undefined,
            sharedOut: placed.size > 0,
            id: request.id,
          });
          const listedShared = (name: string, t: ort.Tensor) => ({
            name,
            shape: [...t.dims],
            datatype: 'FP32',
            parameters: wanted.find((w) => w.name === name)!.parameters,
          });
          if (!binaryOut) {
            return send(res, 200, {
              model_name: o.modelName,
              id: request.id,
              outputs: tensors.map(({ name, t }) =>
                placed.has(name)
                  ? listedShared(name, t)
                  : {
                      name,
                      shape: [...t.dims],
                      datatype: 'FP32',
                      data: Array.from(t.data as Float32Array),
                    },
              ),
            });
          }
          const inBody = tensors.filter(({ name }) => !placed.has(name));
          const blobs = inBody.map(({ t }) => {
            const data = t.data as Float32Array;
            const b = Buffer.alloc(data.length * 4);
            data.forEach((v, i) => b.writeFloatLE(v, i * 4));
            return b;
          });
          const header = Buffer.from(
            JSON.stringify({
              model_name: o.modelName,
              id: request.id,
              outputs: [
                ...inBody.map(({ name, t }, i) => ({
                  name,
                  shape: [...t.dims],
                  datatype: 'FP32',
                  parameters: { binary_data_size: blobs[i]!.length },
                })),
                ...tensors
                  .filter(({ name }) => placed.has(name))
                  .map(({ name, t }) => listedShared(name, t)),
              ],
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
