import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Settings } from '../../src-shared/settings';
import type { Logger } from '../system/logger';
import type { ObjectDetector, ServedModel } from './detector';
import {
  BINARY_EXTENSION,
  HEADER_LENGTH,
  V2ProtocolError,
  encodeInferResponse,
  fp32Bytes,
  readTensors,
  splitBody,
} from './v2-protocol';
import {
  SHM_EXTENSION,
  SharedMemoryRegions,
  isLoopback,
  sharedMemoryAvailable,
  sharedParams,
} from './v2-shared-memory';

type ServerSettings = Settings['detectionServer'];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
};

/**
 * This computer's detector served to others (opt-in, loopback by default, a bearer token
 * when set): the Open Inference Protocol (KServe V2) over HTTP, binary tensors included, for
 * another copy of the app or any V2 client; and the CodeProject.AI / DeepStack endpoint
 * (`POST /v1/vision/detection`) that Blue Iris and Agent DVR call. Bounded: body size, requests
 * at once and waiting (429 beyond). Clients on this computer may pass tensors through shared
 * memory (the system shared-memory extension) instead of the request body.
 */
export class DetectionServer {
  private server?: http.Server;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private counts = { requests: 0, refused: 0, errors: 0, totalMs: 0 };
  private readonly log: Logger;
  private readonly shared = new SharedMemoryRegions();
  private readonly sharedOffered = sharedMemoryAvailable();

  constructor(
    private readonly d: {
      settings: () => ServerSettings;
      /** Calls back when the settings change (returns the unsubscribe). */
      onSettings: (
        listener: (next: ServerSettings, previous: ServerSettings) => void,
      ) => () => void;
      detector: ObjectDetector;
      logger: Logger;
      version: string;
    },
  ) {
    this.log = d.logger.child({ module: 'detection-server' });
  }

  /** Where it listens, while it does. */
  address(): { host: string; port: number } | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : null;
  }

  stats() {
    const { requests, refused, errors, totalMs } = this.counts;
    return {
      requests,
      refused,
      errors,
      inFlight: this.active,
      averageMs: requests ? totalMs / requests : null,
    };
  }

  private unwatch?: () => void;
  /** Why the last start with these settings did not listen (a port in use, say). */
  lastError: string | null = null;
  private restarting: Promise<void> = Promise.resolve();

  /** Listens when enabled, and follows its settings (started, moved, stopped) until stopped. */
  async start(): Promise<void> {
    this.unwatch ??= this.d.onSettings((next, previous) => {
      if (JSON.stringify(next) === JSON.stringify(previous)) return;
      this.restarting = this.restarting
        .then(() => this.close())
        .then(() => this.listen())
        .catch((err: unknown) => {
          this.lastError = (err as Error).message;
          this.log.error({ err }, 'detection server could not restart');
        });
    });
    await this.listen();
  }

  private async listen(): Promise<void> {
    const s = this.d.settings();
    this.lastError = null;
    if (!s.enabled) return;
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(s.port, s.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.info({ ...this.address(), token: Boolean(s.token) }, 'detection server listening');
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    await this.restarting;
    await this.close();
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.shared.close();
  }

  /** Shared memory is for clients on this computer only. */
  private local(req: http.IncomingMessage): void {
    const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (
      !this.sharedOffered ||
      !isLoopback(`http://${address.includes(':') ? `[${address}]` : address}/`)
    ) {
      throw new HttpError(403, 'Shared memory is only for clients on this computer');
    }
  }

  /** `…/systemsharedmemory[/region/{name}]/status`, `…/register` and `…/unregister`. */
  private async sharedMemory(req: http.IncomingMessage, path: string, res: http.ServerResponse) {
    this.local(req);
    const m = /^\/v2\/systemsharedmemory(?:\/region\/([^/]+))?\/(status|register|unregister)$/.exec(
      path,
    );
    if (!m) throw new HttpError(404, `No route ${path}`);
    const name = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    if (m[2] === 'status') {
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not supported`);
      json(res, 200, this.shared.status(name));
      return;
    }
    if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not supported`);
    const body = await this.body(req);
    if (m[2] === 'unregister') {
      this.shared.unregister(name);
    } else {
      if (name === undefined) throw new HttpError(404, 'Register a region by its name');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new HttpError(400, 'The body is not JSON');
      }
      this.shared.register(name, parsed);
    }
    json(res, 200, {});
  }

  private authorised(req: http.IncomingMessage): boolean {
    const token = this.d.settings().token;
    if (!token) return true;
    const given = Buffer.from(req.headers.authorization ?? '');
    const wanted = Buffer.from(`Bearer ${token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  private tokens = 0;
  private refilledAt = 0;

  /** A token bucket: `maxPerSecond` a second, bursts up to as many. */
  private withinRate(perSecond: number): boolean {
    if (perSecond <= 0) return true;
    const now = performance.now();
    this.tokens = Math.min(perSecond, this.tokens + ((now - this.refilledAt) / 1000) * perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Within the rate, one request at a time per slot; a bounded line waits; beyond it, 429. */
  private async slot(): Promise<() => void> {
    const s = this.d.settings();
    if (!this.withinRate(s.maxPerSecond)) {
      throw new HttpError(429, `More than ${s.maxPerSecond} requests a second; try again`);
    }
    if (this.active >= s.concurrency) {
      if (this.waiting.length >= s.queue)
        throw new HttpError(429, 'The detection server is busy; try again');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active += 1;
    return () => {
      this.active -= 1;
      this.waiting.shift()?.();
    };
  }

  /**
   * The request body, refused past the size bound, in memory of its own (never a slice of a
   * shared pool): a tensor read in place from it can be moved to the inference thread.
   */
  private body(req: http.IncomingMessage): Promise<Buffer> {
    const max = this.d.settings().maxBodyMegabytes * 1024 * 1024;
    const tooLarge = () =>
      new HttpError(413, `The request is larger than ${this.d.settings().maxBodyMegabytes} MB`);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const whole =
        Number.isInteger(declared) && declared >= 0 ? Buffer.from(new ArrayBuffer(declared)) : null;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        if (size + chunk.length > (whole ? declared : max)) {
          req.removeAllListeners('data');
          reject(
            whole ? new HttpError(400, 'The body is longer than its Content-Length') : tooLarge(),
          );
          return;
        }
        if (whole) chunk.copy(whole, size);
        else chunks.push(chunk);
        size += chunk.length;
      });
      req.on('error', reject);
      req.on('end', () => {
        if (whole) resolve(size === declared ? whole : whole.subarray(0, size));
        else {
          const own = Buffer.from(new ArrayBuffer(size));
          let at = 0;
          for (const c of chunks) at += c.copy(own, at);
          resolve(own);
        }
      });
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    let release: (() => void) | undefined;
    try {
      if (!this.authorised(req)) throw new HttpError(401, 'A valid bearer token is required');
      const url = new URL(req.url ?? '/', 'http://detector');
      const path = url.pathname.replace(/\/+$/, '');
      if (path.startsWith('/v2/systemsharedmemory')) {
        await this.sharedMemory(req, path, res);
        return;
      }
      if (req.method === 'GET') {
        await this.get(path, res);
        return;
      }
      if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not supported`);
      release = await this.slot();
      const body = await this.body(req);
      this.counts.requests += 1;
      if (path === '/v1/vision/detection') {
        await this.codeProject(req, body, res);
      } else {
        const m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/infer$/.exec(path);
        if (!m) throw new HttpError(404, `No route ${path}`);
        await this.infer(decodeURIComponent(m[1]!), req, body, res);
      }
      this.counts.totalMs += performance.now() - started;
    } catch (err) {
      const status =
        err instanceof HttpError ? err.status : err instanceof V2ProtocolError ? 400 : 500;
      if (status === 429) this.counts.refused += 1;
      else this.counts.errors += 1;
      if (status >= 500) this.log.warn({ err }, 'detection request failed');
      // Drain what the client still sends so it reads the answer.
      req.resume();
      if (!res.headersSent) json(res, status, { error: (err as Error).message });
    } finally {
      release?.();
    }
  }

  private async model(name?: string): Promise<ServedModel> {
    const model = await this.d.detector.servedModel();
    if (!model) throw new HttpError(503, 'The detector is not ready');
    if (name !== undefined && name !== model.name)
      throw new HttpError(404, `Model ${name} is not served here (${model.name} is)`);
    return model;
  }

  private async get(path: string, res: http.ServerResponse): Promise<void> {
    if (path === '/v2') {
      json(res, 200, {
        name: 'home-security-intelligence',
        version: this.d.version,
        extensions: this.sharedOffered ? [BINARY_EXTENSION, SHM_EXTENSION] : [BINARY_EXTENSION],
      });
      return;
    }
    if (path === '/v2/health/live') {
      json(res, 200, {});
      return;
    }
    if (path === '/v2/health/ready') {
      await this.model();
      json(res, 200, {});
      return;
    }
    const m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?(\/ready)?$/.exec(path);
    if (!m) throw new HttpError(404, `No route ${path}`);
    const model = await this.model(decodeURIComponent(m[1]!));
    if (m[2]) {
      json(res, 200, {});
      return;
    }
    const meta = (t: { name: string; shape: (number | string)[] }) => ({
      name: t.name,
      datatype: 'FP32',
      shape: t.shape.map((d) => (typeof d === 'number' ? d : -1)),
    });
    json(res, 200, {
      name: model.name,
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: model.inputs.map(meta),
      outputs: model.outputs.map(meta),
    });
  }

  private async infer(
    name: string,
    req: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse,
  ) {
    const model = await this.model(name);
    const header = req.headers[HEADER_LENGTH];
    const { json: request, binary } = splitBody(body, Array.isArray(header) ? header[0] : header);
    const placed = (t: { name: string; parameters?: unknown }) => {
      const p = sharedParams(t.parameters, t.name);
      if (p) this.local(req);
      return p;
    };
    const [input] = readTensors(request.inputs, binary, 'inputs', (t, bytes) => {
      const p = placed(t);
      return p && this.shared.read(p, bytes);
    });
    const expected = model.inputs[0]!;
    if (!input || input.name !== expected.name) {
      throw new HttpError(400, `Expected the input ${expected.name}`);
    }
    const fits =
      input.dims.length === expected.shape.length &&
      expected.shape.every((d, i) => typeof d !== 'number' || d === input.dims[i]);
    if (!fits) {
      throw new HttpError(
        400,
        `Input shape [${input.dims.join(', ')}] does not fit [${expected.shape.join(', ')}]`,
      );
    }
    const run = await model.run(input.name, input.data, input.dims);
    const asked = Array.isArray(request.outputs)
      ? (request.outputs as { name: string; parameters?: { binary_data?: boolean } }[])
      : [];
    const listed = asked.length ? asked : model.outputs.map((o) => ({ name: o.name }));
    const outputs = listed.map((o) => {
      const t = run.outputs[o.name];
      if (!t) throw new HttpError(400, `The model has no output ${o.name}`);
      const p = placed(o);
      if (p) this.shared.write(p, fp32Bytes(t.data));
      return { name: o.name, dims: t.dims, data: t.data, shared: p };
    });
    const params = request.parameters as { binary_data_output?: boolean } | undefined;
    const binaryOut =
      params?.binary_data_output === true || asked.some((o) => o.parameters?.binary_data === true);
    const encoded = encodeInferResponse({
      id: typeof request.id === 'string' ? request.id : undefined,
      model: model.name,
      outputs,
      binary: binaryOut,
    });
    res.writeHead(200, encoded.headers);
    for (const chunk of encoded.chunks) res.write(chunk);
    res.end();
  }

  /** CodeProject.AI / DeepStack: a multipart `image`, predictions in image pixels. */
  private async codeProject(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) {
    const started = performance.now();
    let form: FormData;
    try {
      form = await new Request('http://detector/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        body: new Uint8Array(body),
      }).formData();
    } catch {
      throw new HttpError(400, 'Send the image as multipart/form-data in a field named "image"');
    }
    const image = form.get('image');
    if (!(image instanceof Blob)) {
      throw new HttpError(400, 'Send the image as multipart/form-data in a field named "image"');
    }
    const min = Number(form.get('min_confidence') ?? 0.4);
    const confidence = Number.isFinite(min) ? Math.min(Math.max(min, 0.01), 0.99) : 0.4;
    if (!(await this.d.detector.ensureLoaded()))
      throw new HttpError(503, 'The detector is not ready');
    let result;
    try {
      result = await this.d.detector.detect(Buffer.from(await image.arrayBuffer()), {
        confidence,
        classes: [],
      });
    } catch (err) {
      if ((err as Error).name === 'ImageDecodeError')
        throw new HttpError(400, 'The image cannot be decoded');
      if (/not ready/.test((err as Error).message))
        throw new HttpError(503, 'The detector is not ready');
      throw err;
    }
    const predictions = result.detections.map((d) => ({
      label: d.objectClass,
      confidence: d.confidence,
      x_min: Math.round(d.box[0]),
      y_min: Math.round(d.box[1]),
      x_max: Math.round(d.box[2]),
      y_max: Math.round(d.box[3]),
    }));
    json(res, 200, {
      success: true,
      predictions,
      count: predictions.length,
      message: `Found ${predictions.length} objects`,
      inferenceMs: Math.round(result.timings.inferenceMs),
      processMs: Math.round(performance.now() - started),
      code: 200,
    });
  }
}
