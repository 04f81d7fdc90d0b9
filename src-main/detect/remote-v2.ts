import { randomUUID } from 'node:crypto';
import type { Settings } from '../../src-shared/settings';
import { EndpointPool } from '../common/endpoint-pool';
import { redactUrl } from '../common/redact';
import { exchange, isTimeout } from './http-exchange';
import type { InferenceRun, TensorMeta } from './inference-worker-client';
import type { EncodedRequest, Tensor, V2ModelMetadata } from './v2-protocol';
import {
  BINARY_EXTENSION,
  HEADER_LENGTH,
  V2ProtocolError,
  encodeInferRequest,
  fp32Bytes,
  readTensors,
  splitBody,
} from './v2-protocol';
import type { SharedPlacement } from './v2-protocol';
import {
  SHM_EXTENSION,
  SharedMemorySlots,
  isLoopback,
  sharedMemoryAvailable,
} from './v2-shared-memory';

export type RemoteEndpointConfig = Settings['detector']['endpoints'][number];

/** How long one request may take (a first call may wait for the server to load the model). */
const REQUEST_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 3000;
/** After shared memory failed with a server, how long before it is tried again. */
const SHARED_RETRY_MS = 60_000;

/** One V2 (Open Inference Protocol) server and the model it serves. */
export class V2Endpoint {
  readonly base: string;
  readonly model: string;
  /** Whether the server takes binary tensors (learned from `GET /v2`). */
  binary = false;
  /** Whether the server offers shared memory (learned from `GET /v2`). */
  private sharedOffered = false;
  /** The model's output sizes in bytes (undefined: open shape), from its metadata. */
  private outputBytes = new Map<string, number | undefined>();
  private shared?: Promise<SharedMemorySlots | undefined>;
  private sharedRetryAt = 0;
  /** Why shared memory is not used with this server, when it was wanted. */
  sharedProblem: string | null = null;

  constructor(
    readonly config: RemoteEndpointConfig,
    defaultModel: string,
    /** Pass tensors through shared memory when the server is on this computer and offers it. */
    private readonly wantShared = false,
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

  /** How the last request's tensors travelled to this server. */
  transport?: 'shared memory' | 'binary' | 'JSON';

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
    const extensions = Array.isArray(server.extensions) ? server.extensions : [];
    this.binary = extensions.includes(BINARY_EXTENSION);
    this.sharedOffered = extensions.includes(SHM_EXTENSION);
    const meta = await this.json<V2ModelMetadata | undefined>(this.modelPath());
    if (!meta || !Array.isArray(meta.inputs) || !Array.isArray(meta.outputs) || !meta.inputs[0]) {
      throw new Error(`${this.model}: the metadata lists no inputs or outputs`);
    }
    this.outputBytes = new Map(
      meta.outputs.map((o) => {
        // An open batch is one image; any other open dimension leaves the size unknown.
        const dims = o.shape.map((d, i) => (i === 0 && d < 0 ? 1 : d));
        return [o.name, dims.some((d) => d < 0) ? undefined : dims.reduce((a, b) => a * b, 4)];
      }),
    );
    return meta;
  }

  /**
   * Shared-memory slots registered with this server (one per request it may have in flight),
   * set up on first use; undefined when not wanted, not possible, or lately failed.
   */
  private sharedSlots(inputBytes: number, outputs: string[]) {
    if (!this.wantShared || Date.now() < this.sharedRetryAt) return undefined;
    if (this.shared) return this.shared;
    const attempt = (async (): Promise<SharedMemorySlots | undefined> => {
      // Not offered, another computer, no /dev/shm: normal, so no problem is reported.
      if (!this.sharedOffered || !isLoopback(this.base) || !sharedMemoryAvailable()) {
        return this.noShared(null);
      }
      let slots: SharedMemorySlots | undefined;
      try {
        slots = SharedMemorySlots.create(
          {
            inputBytes,
            outputs: outputs.flatMap((name) => {
              const bytes = this.outputBytes.get(name);
              return bytes === undefined ? [] : [{ name, bytes }];
            }),
          },
          this.config.maxConcurrent ?? 4,
        );
        for (const r of slots.registrations()) {
          await this.exchangeJson(
            `/v2/systemsharedmemory/region/${encodeURIComponent(r.name)}/register`,
            r.body,
          );
        }
        this.sharedProblem = null;
        return slots;
      } catch (err) {
        // Regions registered before the failure are unregistered, their objects removed.
        if (slots) void this.releaseShared(slots);
        return this.noShared(`shared memory failed: ${(err as Error).message}`);
      }
    })();
    this.shared = attempt;
    // Not set up (even when that was decided at once): the next try may set it up.
    void attempt.then((slots) => {
      if (!slots && this.shared === attempt) this.shared = undefined;
    });
    return attempt;
  }

  private noShared(reason: string | null): undefined {
    this.sharedProblem = reason;
    this.sharedRetryAt = Date.now() + SHARED_RETRY_MS;
    this.shared = undefined;
    return undefined;
  }

  private exchangeJson(path: string, body: unknown) {
    const chunk = Buffer.from(JSON.stringify(body));
    return this.request(
      path,
      {
        method: 'POST',
        body: {
          chunks: [chunk],
          length: chunk.length,
          headers: { 'content-type': 'application/json', 'content-length': String(chunk.length) },
        },
      },
      PROBE_TIMEOUT_MS,
    );
  }

  /**
   * One inference: the input tensor out, the named outputs back — through shared memory when
   * it is set up (a failure there drops it for a while and sends the tensors in the body).
   */
  async infer(input: Tensor, outputs: string[], binary: boolean): Promise<Tensor[]> {
    const slots = await this.sharedSlots(input.data.byteLength, outputs);
    const slot = slots?.take();
    if (!slots || slot === undefined) return this.inferOnce(input, outputs, binary);
    let placement: SharedPlacement;
    try {
      placement = slots.writeInput(slot, fp32Bytes(input.data));
    } catch (err) {
      this.dropShared(slots, err);
      return this.inferOnce(input, outputs, binary);
    }
    let result: Tensor[];
    try {
      result = await this.inferOnce(input, outputs, binary, {
        placement,
        read: (name, bytes) => {
          const p = placement.outputs[name];
          return p && slots.read(slot, p, bytes);
        },
      });
    } catch (err) {
      const message = (err as Error).message;
      if (isTimeout(err)) {
        // A late answer could still write this slot: all are set up afresh later.
        this.dropShared(slots, err);
        throw err;
      }
      // (Slots closed meanwhile, by another request that gave shared memory up, count too.)
      if (!slots.closed && !/shared|region/i.test(message)) {
        slots.give(slot);
        throw err;
      }
      this.dropShared(slots, err);
      return this.inferOnce(input, outputs, binary);
    }
    slots.give(slot);
    return result;
  }

  /** Shared memory given up with this server (the server restarted, say) until a retry. */
  private dropShared(slots: SharedMemorySlots, err: unknown): void {
    this.noShared(`shared memory failed: ${(err as Error).message}`);
    void this.releaseShared(slots);
  }

  private async releaseShared(slots: SharedMemorySlots): Promise<void> {
    await Promise.all(
      slots
        .registrations()
        .map((r) =>
          this.exchangeJson(
            `/v2/systemsharedmemory/region/${encodeURIComponent(r.name)}/unregister`,
            {},
          ).catch(() => undefined),
        ),
    );
    slots.close();
  }

  /** Unregisters and removes its shared memory. */
  async close(): Promise<void> {
    const slots = await this.shared;
    this.shared = undefined;
    if (slots) await this.releaseShared(slots);
  }

  private async inferOnce(
    input: Tensor,
    outputs: string[],
    binary: boolean,
    shared?: {
      placement: SharedPlacement;
      read: (name: string, bytes: number) => Buffer | undefined;
    },
  ): Promise<Tensor[]> {
    const id = randomUUID();
    const req = encodeInferRequest({
      id,
      input,
      outputs,
      binary: binary && this.binary,
      shared: shared?.placement,
    });
    this.transport = shared ? 'shared memory' : binary && this.binary ? 'binary' : 'JSON';
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
      return readTensors(
        json.outputs,
        data,
        'outputs',
        // Outputs the answer carries itself are read from it; the rest from shared memory.
        shared &&
          ((t, bytes) =>
            t.data === undefined && t.parameters?.binary_data_size === undefined
              ? shared.read(t.name, bytes)
              : undefined),
      );
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

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.pool.endpoints().map(({ endpoint }) => endpoint.close()));
  }
}
