import { randomUUID } from 'node:crypto';
import type { Settings } from '../../src-shared/settings';
import { EndpointPool } from '../common/endpoint-pool';
import { redactUrl } from '../common/redact';
import { exchange } from './http-exchange';
import type { InferenceRun, TensorMeta } from './inference-worker-client';
import type { EncodedRequest, Tensor, V2ModelMetadata } from './v2-protocol';
import {
  BINARY_EXTENSION,
  HEADER_LENGTH,
  V2ProtocolError,
  encodeInferRequest,
  readTensors,
  splitBody,
} from './v2-protocol';

export type RemoteEndpointConfig = Settings['detector']['endpoints'][number];

/** How long one request may take (a first call may wait for the server to load the model). */
const REQUEST_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 3000;

/** One V2 (Open Inference Protocol) server and the model it serves. */
export class V2Endpoint {
  readonly base: string;
  readonly model: string;
  /** Whether the server takes binary tensors (learned from `GET /v2`). */
  binary = false;

  constructor(
    readonly config: RemoteEndpointConfig,
    defaultModel: string,
  ) {
    this.base = config.url.replace(/\/+$/, '');
    this.model = config.model || defaultModel;
  }

  get key(): string {
    return redactUrl(this.base);
  }

  private modelPath(): string {
    return `/v2/models/${encodeURIComponent(this.model)}`;
  }

  private request(
    path: string,
    init: { method?: string; body?: EncodedRequest } = {},
    timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    return exchange(new URL(`${this.base}${path}`), {
      method: init.method,
      headers: init.body?.headers,
      chunks: init.body?.chunks,
      token: this.config.token,
      timeoutMs,
    });
  }

  private async json<T>(path: string): Promise<T> {
    const { body } = await this.request(path, {}, PROBE_TIMEOUT_MS);
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch {
      throw new Error(`${path} did not answer JSON`);
    }
  }

  /** Server and model ready (`/v2/health/ready`, `/v2/models/{m}/ready`), or why not. */
  async ready(): Promise<void> {
    await this.request('/v2/health/ready', {}, PROBE_TIMEOUT_MS);
    await this.request(`${this.modelPath()}/ready`, {}, PROBE_TIMEOUT_MS);
  }

  /** The model's inputs and outputs, and whether the server takes binary tensors. */
  async metadata(): Promise<V2ModelMetadata> {
    const server = await this.json<{ extensions?: string[] }>('/v2');
    this.binary = Array.isArray(server.extensions) && server.extensions.includes(BINARY_EXTENSION);
    const meta = await this.json<V2ModelMetadata | undefined>(this.modelPath());
    if (!meta || !Array.isArray(meta.inputs) || !Array.isArray(meta.outputs) || !meta.inputs[0]) {
      throw new Error(`${this.model}: the metadata lists no inputs or outputs`);
    }
    return meta;
  }

  /** One inference: the input tensor out, the named outputs back. */
  async infer(input: Tensor, outputs: string[], binary: boolean): Promise<Tensor[]> {
    const id = randomUUID();
    const req = encodeInferRequest({ id, input, outputs, binary: binary && this.binary });
    const res = await this.request(`${this.modelPath()}/infer`, { method: 'POST', body: req });
    try {
      const header = res.headers[HEADER_LENGTH];
      const { json, binary: data } = splitBody(
        res.body,
        Array.isArray(header) ? header[0] : header,
      );
      if (json.id !== undefined && json.id !== id) {
        throw new V2ProtocolError(
          `the answer is for request ${JSON.stringify(json.id)}, not ${id}`,
        );
      }
      return readTensors(json.outputs, data, 'outputs');
    } catch (err) {
      throw new Error(`${this.model}: ${(err as Error).message}`);
    }
  }
}

/** V2 metadata shapes as the family detection reads them (-1: dynamic). */
export function tensorMetas(list: V2ModelMetadata['outputs']): TensorMeta[] {
  return list.map((t) => ({
    name: t.name,
    shape: t.shape.map((d) => (d < 0 ? 'dynamic' : d)),
  }));
}

/**
 * Inference on a pool of V2 endpoints (least requests in flight, a breaker each, retried on
 * the next): the same calls as the local inference thread.
 */
export class RemoteRunner {
  readonly pool: EndpointPool<V2Endpoint>;
  private readonly timer: NodeJS.Timeout;

  constructor(
    endpoints: V2Endpoint[],
    private readonly outputNames: string[],
    private readonly binary: boolean,
    probeEveryMs = 10_000,
  ) {
    this.pool = new EndpointPool(
      endpoints.map((e) => ({
        key: e.key,
        endpoint: e,
        maxConcurrent: e.config.maxConcurrent ?? 4,
      })),
      { cooldownMs: 10_000 },
    );
    // Health checks bring an endpoint back as soon as it is ready, and take one out early.
    this.timer = setInterval(() => void this.probe(), probeEveryMs);
    this.timer.unref();
  }

  get alive(): boolean {
    return true;
  }

  async probe(): Promise<void> {
    await Promise.all(
      this.pool.endpoints().map(async ({ key, endpoint }) => {
        try {
          await endpoint.ready();
          this.pool.report(key, true);
        } catch (err) {
          this.pool.report(key, false, (err as Error).message);
        }
      }),
    );
  }

  async infer(inputName: string, tensor: Float32Array, dims: number[]): Promise<InferenceRun> {
    const started = performance.now();
    const outputs = await this.pool.run((endpoint) =>
      endpoint.infer({ name: inputName, dims, data: tensor }, this.outputNames, this.binary),
    );
    return {
      outputs: Object.fromEntries(outputs.map((t) => [t.name, { data: t.data, dims: t.dims }])),
      inferenceMs: performance.now() - started,
    };
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
}
