import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DetectorEndpoint, DetectorFamily, DetectorStatus } from '../../src-shared/domain';
import type { Settings } from '../../src-shared/settings';
import type { Logger } from '../system/logger';
import type { FamilyCodec } from './families';
import { FramePool } from './frame-pool';
import type { FramePreparer, InferenceRun, TensorMeta } from './inference-worker-client';
import { InferenceWorker } from './inference-worker-client';
import { CODECS, inferFamily } from './families';
import type { FrameSource, PreparedFrame } from './image-tensor.mjs';
import type { ModelEntry } from './models';
import { classNames, resolveModel } from './models';
import { nms } from './nms';
import { AllEndpointsFailed } from '../common/endpoint-pool';
import { RemoteRunner, V2Endpoint, tensorMetas } from './remote-v2';
import { CodeProjectEndpoint } from './remote-codeproject';
import { EndpointPool } from '../common/endpoint-pool';
import { COCO80 } from './coco';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { ImageDecodeError, ImageReadError } from './image-tensor.mjs';

/** After the inference servers failed to load, the local model serves this long before they are tried again. */
const REMOTE_RETRY_MS = 30_000;

type DetectorSettings = Settings['detector'];

/** One detected object, with its box in source-image pixels. */
export interface PixelDetection {
  objectClass: string;
  classIndex: number;
  confidence: number;
  box: [number, number, number, number];
}

export interface DetectResult {
  width: number;
  height: number;
  detections: PixelDetection[];
  timings: {
    readMs: number;
    decodeMs: number;
    preprocessMs: number;
    inferenceMs: number;
    postprocessMs: number;
  };
}

/** A snapshot read, hashed, decoded and laid out for the loaded model, ready to infer. */
export interface Frame extends PreparedFrame {
  source: string | Buffer;
  /** The encoded image, for servers that take it as it is (CodeProject.AI). */
  bytes?: Buffer;
  /** The model it was laid out for (a frame for another model is prepared again). */
  modelKey: string;
}

export interface ServedModel {
  name: string;
  inputs: TensorMeta[];
  outputs: TensorMeta[];
  run(inputName: string, tensor: Float32Array, dims: number[]): Promise<InferenceRun>;
}

export interface DetectOptions {
  confidence: number;
  /** Allowed class names; empty = every class. */
  classes: readonly string[];
}

/** What runs the model: the local inference thread, or a pool of inference servers. */
interface ModelRunner {
  readonly alive: boolean;
  infer(inputName: string, tensor: Float32Array, dims: number[]): Promise<InferenceRun>;
  close(): Promise<void>;
}

interface LoadedModel {
  worker: ModelRunner;
  /** The status it was ready with (shown again when it stands in for inference servers). */
  readyStatus?: Partial<DetectorStatus>;
  /** CodeProject.AI-compatible servers: the image goes as it is (no tensor, no codec). */
  codeproject?: EndpointPool<CodeProjectEndpoint>;
  /** The local thread (prepares frames too); absent for inference servers. */
  local?: InferenceWorker;
  remote?: RemoteRunner;
  inputs: TensorMeta[];
  outputs: TensorMeta[];
  codec: FamilyCodec;
  inputName: string;
  inputSize: [number, number];
  classes: readonly string[];
  provider: string;
  path: string;
  key: string;
}

export interface DetectorDeps {
  settings: () => DetectorSettings;
  userModelsDir: string;
  appModelsDir: string;
  manifest: ModelEntry[];
  envModelPath?: string;
  logger: Logger;
  onStatus?: (status: DetectorStatus) => void;
}

/** Execution providers that can exist on this platform (the rest fail or log noise). */
function platformProviders(requested: readonly string[]): string[] {
  return requested.filter((p) => {
    switch (p) {
      case 'dml':
        return process.platform === 'win32';
      case 'coreml':
        return process.platform === 'darwin';
      case 'cuda':
        return process.platform !== 'darwin' && hasCudaProvider();
      default:
        return true;
    }
  });
}

function hasCudaProvider(): boolean {
  try {
    const dir = path.dirname(
      createRequire(import.meta.url).resolve('onnxruntime-node/package.json'),
    );
    const bin = path.join(dir, 'bin', 'napi-v6', process.platform, process.arch);
    return (
      fs.existsSync(path.join(bin, 'libonnxruntime_providers_cuda.so')) ||
      fs.existsSync(path.join(bin, 'onnxruntime_providers_cuda.dll'))
    );
  } catch {
    return false;
  }
}

/**
 * The object detector: one cached InferenceSession per model, owned by an inference thread
 * (session.run blocks its thread for the whole inference), concurrent callers share the
 * loading promise, execution providers tried in the configured order. Frames are prepared
 * (read, hashed, decoded at the JPEG scale the model needs, laid out) by frame workers, or
 * by the inference thread when there are none; only box decoding and class-aware NMS run on
 * this thread.
 */
export class ObjectDetector {
  private loaded?: LoadedModel;
  private loading?: Promise<LoadedModel | undefined>;
  private pool?: FramePool;
  private retiring = new Set<Promise<void>>();
  private current: DetectorStatus;

  constructor(private readonly deps: DetectorDeps) {
    const s = deps.settings();
    this.current = {
      status: 'unavailable',
      reason: 'Not loaded yet',
      model: s.model,
      family: null,
      modelPath: null,
      provider: null,
      inputSize: null,
      intraOpThreads: s.intraOpThreads,
      concurrency: s.concurrency,
      allowSpinning: s.allowSpinning,
      decodeWorkers: s.decodeWorkers,
      backend: 'local',
      endpoints: [],
    };
  }

  status(): DetectorStatus {
    const pool = this.loaded?.remote?.pool ?? this.loaded?.codeproject;
    if (!pool) return this.current;
    const servers = pool.endpoints().map((e) => e.endpoint);
    return {
      ...this.current,
      endpoints: pool.stats().map((e, i) => {
        const v2 = servers[i] instanceof V2Endpoint ? servers[i] : undefined;
        return {
          url: e.key,
          state: e.state,
          outstanding: e.outstanding,
          latencyMs: e.latencyMs === null ? null : Math.round(e.latencyMs * 10) / 10,
          requests: e.requests,
          errors: e.errors,
          lastError: e.lastError ?? v2?.sharedProblem ?? null,
          transport: v2 ? v2.transport : 'image',
        };
      }),
    };
  }

  private setStatus(next: Partial<DetectorStatus>): void {
    this.current = { ...this.current, ...next };
    this.deps.onStatus?.(this.current);
  }

  /** Loads (or re-uses) the configured model; resolves undefined with a reason when it can't. */
  async ensureLoaded(): Promise<boolean> {
    const s = this.deps.settings();
    if (s.backend !== 'local' && s.endpoints.length > 0) {
      const key = JSON.stringify([
        s.backend,
        s.endpoints,
        s.model,
        s.family,
        s.v2Binary,
        s.v2SharedMemory,
      ]);
      if (this.loaded?.key === key) return true;
      const localStandIn = this.loaded?.local !== undefined;
      // Servers just configured are tried at once; the same ones again after a pause.
      const waiting = key === this.remoteKey && Date.now() < this.remoteRetryAt;
      if (!(localStandIn && waiting)) {
        const retrying = key === this.remoteKey;
        this.remoteKey = key;
        if (!this.loading) {
          const load =
            s.backend === 'codeproject'
              ? this.loadCodeProject(key, s)
              : this.loadRemote(key, s, retrying);
          this.loading = load.finally(() => {
            this.loading = undefined;
          });
        }
        if ((await this.loading) !== undefined) return true;
        this.remoteRetryAt = Date.now() + REMOTE_RETRY_MS;
        if (!s.fallbackToLocal) return false;
      }
      // The local model stands in (a failed retry said unavailable meanwhile).
      const ok = await this.ensureLocal(s);
      if (ok) this.showLocal('local (fallback)');
      return ok;
    }
    const ok = await this.ensureLocal(s);
    if (ok) this.showLocal('local');
    return ok;
  }

  /**
   * The loaded local model's ready state, under the backend it serves as now (standing in:
   * with the inference servers as they were last seen).
   */
  private showLocal(backend: string): void {
    const ready = this.loaded?.readyStatus;
    const endpoints = backend === 'local' ? [] : this.downEndpoints;
    if (
      ready &&
      (this.current.status !== 'ready' ||
        this.current.backend !== backend ||
        this.current.endpoints !== endpoints)
    ) {
      this.setStatus({ ...ready, backend, endpoints });
    }
  }

  /** A local model file that did not load, as it was then (size and time). */
  private failedLoad?: { key: string; stamp: string };
  /**
   * Every inference server failed an inference: the next load checks they answer one before
   * calling them ready (a server can be up and still answer what no decoder can read).
   */
  private verifyRemote = false;
  private remoteRetryAt = 0;
  /** The servers the last try was for (a change is tried at once). */
  private remoteKey = '';
  /** The inference servers as last seen, while the local model stands in for them. */
  private downEndpoints: DetectorEndpoint[] = [];

  /** The local model, loaded (or re-used) for the settings. */
  private async ensureLocal(s: DetectorSettings): Promise<boolean> {
    const location = resolveModel({
      model: s.model,
      modelPath: s.modelPath,
      userModelsDir: this.deps.userModelsDir,
      appModelsDir: this.deps.appModelsDir,
      envModelPath: this.deps.envModelPath,
      manifest: this.deps.manifest,
    });
    if (location.path === null) {
      if (this.loaded) await this.unload();
      if (this.current.reason !== location.reason) {
        this.setStatus({
          status: 'unavailable',
          reason: location.reason,
          model: s.model,
          family: null,
          modelPath: null,
          provider: null,
          inputSize: null,
        });
      }
      return false;
    }
    const key = JSON.stringify([
      location.path,
      s.family,
      s.providers,
      s.intraOpThreads,
      s.allowSpinning,
    ]);
    if (this.loaded?.key === key && this.loaded.worker.alive) return true;
    // The same file failed to load and has not changed since: its reason stands (loading it
    // again on every poll would only flip the status to "loading" and back).
    const failed = this.failedLoad;
    if (failed?.key === key && failed.stamp === fileStamp(location.path)) return false;
    if (!this.loading) {
      this.loading = this.load(location.path, location.entry, key, s).finally(() => {
        this.loading = undefined;
      });
    }
    return (await this.loading) !== undefined;
  }

  /**
   * The model on inference servers: the first endpoint that is ready gives the metadata
   * (input name and size, outputs, so the family), then every endpoint serves it in a pool.
   */
  private async loadRemote(
    key: string,
    s: DetectorSettings,
    retrying = false,
  ): Promise<LoadedModel | undefined> {
    // Trying the same servers again: the status keeps saying why they were not usable.
    if (!(retrying && this.current.status === 'unavailable')) {
      this.setStatus({ status: 'loading', reason: null, model: s.model, backend: 'v2' });
    }
    const endpoints = s.endpoints.map((e) => new V2Endpoint(e, s.model, s.v2SharedMemory));
    const problems: string[] = [];
    let meta;
    for (const e of endpoints) {
      try {
        await e.ready();
        meta = await e.metadata();
        // Every endpoint learns whether it takes binary tensors.
        await Promise.all(
          endpoints.filter((x) => x !== e).map((x) => x.metadata().catch(() => undefined)),
        );
        break;
      } catch (err) {
        problems.push(`${e.key}: ${(err as Error).message}`);
      }
    }
    if (!meta) {
      this.downEndpoints = endpoints.map((e, i) => ({
        url: e.key,
        state: 'open',
        outstanding: 0,
        latencyMs: null,
        requests: 0,
        errors: 1,
        lastError: problems[i]?.slice(e.key.length + 2) ?? null,
      }));
      this.setStatus({
        status: 'unavailable',
        reason: `No inference server is ready (${problems.join('; ')})${s.fallbackToLocal ? '; detecting on this computer meanwhile' : `; ${SNAPSHOTS_WAIT}`}`,
        backend: 'v2',
      });
      return undefined;
    }
    const input = meta.inputs[0]!;
    const entry = this.deps.manifest.find((m) => m.name === s.model);
    const [, , mh, mw] = input.shape;
    const h = typeof mh === 'number' && mh > 0 ? mh : (entry?.inputSize?.[1] ?? 640);
    const w = typeof mw === 'number' && mw > 0 ? mw : (entry?.inputSize?.[0] ?? 640);
    const outputs = tensorMetas(meta.outputs);
    const family: DetectorFamily | null =
      entry?.family ??
      (s.family !== 'auto' ? s.family : inferFamily({ width: w, height: h }, outputs));
    if (!family) {
      this.setStatus({
        status: 'unavailable',
        reason: `Cannot tell which detector family ${meta.name} belongs to; choose its family in the detector settings`,
      });
      return undefined;
    }
    const runner = new RemoteRunner(
      endpoints,
      meta.outputs.map((o) => o.name),
      s.v2Binary,
    );
    if (this.verifyRemote) {
      const problem = await this.trialInference(runner, input.name, [w, h], outputs);
      if (problem) {
        await runner.close();
        this.setStatus({
          status: 'unavailable',
          reason: `The inference servers answer, but not with detections this app can read (${problem}); ${SNAPSHOTS_WAIT}`,
          backend: 'v2',
        });
        return undefined;
      }
      this.verifyRemote = false;
    }
    const previous = this.loaded;
    this.loaded = {
      worker: runner,
      remote: runner,
      inputs: [{ name: input.name, shape: input.shape }],
      outputs,
      codec: CODECS[family],
      inputName: input.name,
      inputSize: [w, h],
      classes: classNames(entry),
      provider: `v2 (${endpoints.map((e) => e.key).join(', ')})`,
      path: meta.name,
      key,
    };
    if (previous) await previous.worker.close();
    this.deps.logger
      .child({ module: 'detector' })
      .info(
        { model: meta.name, family, inputSize: [w, h], endpoints: endpoints.length },
        'detector on inference servers',
      );
    this.setStatus({
      status: 'ready',
      reason: null,
      family,
      modelPath: null,
      provider: this.loaded.provider,
      inputSize: [w, h],
      backend: 'v2',
    });
    return this.loaded;
  }

  /**
   * CodeProject.AI-compatible servers: nothing to learn first (the protocol has no metadata);
   * each snapshot goes to the pool as it is.
   */
  private async loadCodeProject(
    key: string,
    s: DetectorSettings,
  ): Promise<LoadedModel | undefined> {
    const endpoints = s.endpoints.map((e) => new CodeProjectEndpoint(e));
    const pool = new EndpointPool(
      endpoints.map((e) => ({ key: e.key, endpoint: e, maxConcurrent: e.config.maxConcurrent })),
      { cooldownMs: 10_000 },
    );
    const previous = this.loaded;
    const provider = `codeproject (${endpoints.map((e) => e.key).join(', ')})`;
    this.loaded = {
      worker: {
        alive: true,
        infer: () => Promise.reject(new Error('CodeProject.AI servers take images, not tensors')),
        close: () => Promise.resolve(),
      },
      codeproject: pool,
      inputs: [],
      outputs: [],
      codec: CODECS.yolox,
      inputName: '',
      inputSize: [0, 0],
      classes: COCO80,
      provider,
      path: 'codeproject',
      key,
    };
    if (previous) await previous.worker.close();
    this.setStatus({
      status: 'ready',
      reason: null,
      family: null,
      modelPath: null,
      provider,
      inputSize: null,
      backend: 'codeproject',
    });
    return this.loaded;
  }

  /** One inference on a blank frame: why its outputs cannot be read, or undefined. */
  private async trialInference(
    runner: RemoteRunner,
    inputName: string,
    [w, h]: [number, number],
    outputs: TensorMeta[],
  ): Promise<string | undefined> {
    try {
      const run = await runner.infer(inputName, new Float32Array(3 * w * h), [1, 3, h, w]);
      return outputMismatch(outputs, run.outputs);
    } catch (err) {
      return err instanceof AllEndpointsFailed
        ? err.errors.map((e) => `${e.key}: ${e.message}`).join('; ')
        : (err as Error).message;
    }
  }

  /**
   * Every inference server failed an inference and nothing stands in: unavailable with why,
   * so snapshots wait in the queue; the servers are loaded (and checked) again from scratch.
   */
  private async serversFailed(model: LoadedModel, why: string): Promise<void> {
    if (this.loaded !== model) return; // another failure got here first
    this.loaded = undefined;
    this.verifyRemote = true;
    this.deps.logger.child({ module: 'detector' }).warn({ err: why }, 'inference servers failed');
    this.setStatus({
      status: 'unavailable',
      reason: `Every inference server failed (${why}); ${SNAPSHOTS_WAIT}`,
    });
    await model.worker.close();
  }

  /** The local model standing in while every inference server is down. */
  private async fallback(): Promise<LoadedModel | undefined> {
    // Already standing in (a late answer of the servers' failure): nothing to change.
    if (this.loaded?.local) return this.loaded;
    const s = this.deps.settings();
    const remote = this.loaded;
    this.downEndpoints = this.status().endpoints;
    this.loaded = undefined;
    const ok = await this.ensureLocal(s);
    if (ok) this.showLocal('local (fallback)');
    this.remoteRetryAt = Date.now() + REMOTE_RETRY_MS;
    if (remote) await remote.worker.close();
    return ok ? this.loaded : undefined;
  }

  private async load(
    modelPath: string,
    entry: ModelEntry | undefined,
    key: string,
    s: DetectorSettings,
  ): Promise<LoadedModel | undefined> {
    this.setStatus({ status: 'loading', reason: null, model: s.model, modelPath });
    const log = this.deps.logger.child({ module: 'detector' });
    const worker = new InferenceWorker();
    let loaded;
    try {
      loaded = await worker.load(modelPath, {
        providers: platformProviders(s.providers),
        intraOpThreads: s.intraOpThreads,
        allowSpinning: s.allowSpinning,
      });
    } catch (err) {
      await worker.close();
      this.failedLoad = { key, stamp: fileStamp(modelPath) };
      this.setStatus({
        status: 'unavailable',
        reason: loadFailure(path.basename(modelPath), (err as Error).message),
      });
      return undefined;
    }
    const inputShape = loaded.inputs[0]?.shape ?? [];
    const h = typeof inputShape[2] === 'number' ? inputShape[2] : (entry?.inputSize?.[1] ?? 640);
    const w = typeof inputShape[3] === 'number' ? inputShape[3] : (entry?.inputSize?.[0] ?? 640);
    const family: DetectorFamily | null =
      entry?.family ??
      (s.family !== 'auto' ? s.family : inferFamily({ width: w, height: h }, loaded.outputs));
    if (!family) {
      await worker.close();
      this.failedLoad = { key, stamp: fileStamp(modelPath) };
      this.setStatus({
        status: 'unavailable',
        reason: `Cannot tell which detector family ${path.basename(modelPath)} belongs to; choose its family in the detector settings or add it to models.json`,
      });
      return undefined;
    }
    this.failedLoad = undefined;
    const previous = this.loaded;
    this.loaded = {
      worker,
      local: worker,
      inputs: loaded.inputs,
      outputs: loaded.outputs,
      codec: CODECS[family],
      inputName: loaded.inputNames[0]!,
      inputSize: [w, h],
      classes: classNames(entry),
      provider: loaded.provider,
      path: modelPath,
      key,
    };
    if (previous) await previous.worker.close();
    log.info(
      { modelPath, family, provider: loaded.provider, inputSize: [w, h] },
      'detector model loaded',
    );
    this.loaded.readyStatus = {
      status: 'ready',
      reason: null,
      family,
      modelPath,
      backend: s.backend !== 'local' && s.endpoints.length ? 'local (fallback)' : 'local',
      endpoints: [],
      provider: loaded.provider,
      inputSize: [w, h],
      intraOpThreads: s.intraOpThreads,
      concurrency: s.concurrency,
      allowSpinning: s.allowSpinning,
      decodeWorkers: s.decodeWorkers,
    };
    this.setStatus(this.loaded.readyStatus);
    return this.loaded;
  }

  /** The frame workers for the current setting, or the inference thread when there are none. */
  private preparer(model: LoadedModel): FramePreparer {
    // Inference servers take tensors: frames are always prepared by a frame worker here.
    const size = Math.max(this.deps.settings().decodeWorkers, model.local ? 0 : 1);
    if (this.pool && this.pool.size !== size) {
      // Frames it is preparing still arrive; then its threads end.
      const retired = this.pool.retire().finally(() => this.retiring.delete(retired));
      this.retiring.add(retired);
      this.pool = undefined;
    }
    if (size === 0 && model.local) return model.local;
    this.pool ??= new FramePool(size);
    return this.pool;
  }

  /**
   * Reads (a path) or takes (bytes) a snapshot, hashes it, decodes it at the JPEG scale the
   * model needs and lays out its tensor, off the main thread. Throws ImageReadError for a
   * file that cannot be read and ImageDecodeError for one that does not decode.
   */
  async prepare(source: string | Buffer): Promise<Frame> {
    const model = this.loaded;
    if (!model) throw new Error('Detector is not ready');
    if (model.codeproject) return this.prepareBytes(source, model.key);
    const [w, h] = model.inputSize;
    const from: FrameSource = typeof source === 'string' ? { path: source } : { bytes: source };
    const prepared = await this.preparer(model).prepare(from, model.codec.preprocess(w, h));
    return { ...prepared, source, modelKey: model.key };
  }

  /** For servers that take the image itself: its bytes, hash and size (no tensor). */
  private async prepareBytes(source: string | Buffer, modelKey: string): Promise<Frame> {
    const t0 = performance.now();
    let bytes: Buffer;
    if (typeof source === 'string') {
      try {
        bytes = await fs.promises.readFile(source);
      } catch (err) {
        throw new ImageReadError((err as Error).message, (err as NodeJS.ErrnoException).code);
      }
    } else {
      bytes = source;
    }
    const t1 = performance.now();
    const meta = await sharp(bytes)
      .metadata()
      .catch(() => undefined);
    if (!meta?.width || !meta.height) throw new ImageDecodeError('The image cannot be decoded');
    return {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      tensor: new Float32Array(0),
      transform: {
        srcWidth: meta.width,
        srcHeight: meta.height,
        scaleX: 1,
        scaleY: 1,
        padX: 0,
        padY: 0,
      },
      shrink: 1,
      timings: { readMs: t1 - t0, decodeMs: performance.now() - t1, preprocessMs: 0 },
      source,
      bytes,
      modelKey,
    };
  }

  /**
   * Runs the model on a prepared frame (its tensor is used up) and maps boxes to the image.
   * When every inference server fails, the local model takes the frame (if allowed).
   */
  async infer(prepared: Frame, options: DetectOptions): Promise<DetectResult> {
    const model = this.loaded;
    try {
      return await this.inferOn(prepared, options);
    } catch (err) {
      if (!(err instanceof AllEndpointsFailed)) throw err;
      if (!this.deps.settings().fallbackToLocal) {
        if (model?.remote) await this.serversFailed(model, err.message);
        throw err;
      }
      this.deps.logger
        .child({ module: 'detector' })
        .warn({ err: err.message }, 'inference servers failed: detecting on this computer');
      if (!(await this.fallback())) throw err;
      return this.inferOn(await this.prepare(prepared.source), options);
    }
  }

  private async inferOn(prepared: Frame, options: DetectOptions): Promise<DetectResult> {
    let frame = prepared;
    const model = this.loaded;
    if (!model) throw new Error('Detector is not ready');
    if (frame.modelKey !== model.key) frame = await this.prepare(frame.source);
    if (model.codeproject) return this.inferCodeProject(model.codeproject, frame, options);
    const [w, h] = model.inputSize;
    const { outputs, inferenceMs } = await model.worker.infer(model.inputName, frame.tensor, [
      1,
      3,
      h,
      w,
    ]);
    // A server may answer with tensors other than its model's: decoding them would find
    // nothing (or nonsense) without a word, so it counts as that server failing.
    const mismatch = model.remote && outputMismatch(model.outputs, outputs);
    if (mismatch) throw new AllEndpointsFailed([{ key: model.provider, message: mismatch }]);
    const t2 = performance.now();
    const { transform } = frame;
    const minScore = Math.max(0.001, Math.min(options.confidence, 0.999));
    let candidates = model.codec.decode(outputs, w, h, minScore);
    const iouThreshold = model.codec.nmsIou(outputs);
    if (iouThreshold !== null) candidates = nms(candidates, iouThreshold);
    const allowed = options.classes.length ? new Set(options.classes) : undefined;
    const detections: PixelDetection[] = [];
    for (const c of candidates) {
      const objectClass = model.classes[c.classIndex] ?? `class_${c.classIndex}`;
      if (allowed && !allowed.has(objectClass)) continue;
      const x1 = clamp((c.x1 - transform.padX) / transform.scaleX, transform.srcWidth);
      const y1 = clamp((c.y1 - transform.padY) / transform.scaleY, transform.srcHeight);
      const x2 = clamp((c.x2 - transform.padX) / transform.scaleX, transform.srcWidth);
      const y2 = clamp((c.y2 - transform.padY) / transform.scaleY, transform.srcHeight);
      if (x2 - x1 < 1 || y2 - y1 < 1) continue;
      detections.push({
        objectClass,
        classIndex: c.classIndex,
        confidence: c.score,
        box: [x1, y1, x2, y2],
      });
    }
    detections.sort((a, b) => b.confidence - a.confidence);
    const t3 = performance.now();
    return {
      width: transform.srcWidth,
      height: transform.srcHeight,
      detections,
      timings: { ...frame.timings, inferenceMs, postprocessMs: t3 - t2 },
    };
  }

  /** The image to a CodeProject.AI-compatible server; its predictions as detections. */
  private async inferCodeProject(
    pool: EndpointPool<CodeProjectEndpoint>,
    frame: Frame,
    options: DetectOptions,
  ): Promise<DetectResult> {
    const started = performance.now();
    const minScore = Math.max(0.001, Math.min(options.confidence, 0.999));
    const predictions = await pool.run((e) => e.detect(frame.bytes!, minScore));
    const inferenceMs = performance.now() - started;
    const allowed = options.classes.length ? new Set(options.classes) : undefined;
    const { srcWidth: w, srcHeight: h } = frame.transform;
    const detections: PixelDetection[] = predictions
      .filter((p) => p.confidence >= minScore && (!allowed || allowed.has(p.label)))
      .map((p) => ({
        objectClass: p.label,
        classIndex: (COCO80 as readonly string[]).indexOf(p.label),
        confidence: p.confidence,
        box: [clamp(p.x_min, w), clamp(p.y_min, h), clamp(p.x_max, w), clamp(p.y_max, h)] as [
          number,
          number,
          number,
          number,
        ],
      }))
      .filter((d) => d.box[2] - d.box[0] >= 1 && d.box[3] - d.box[1] >= 1)
      .sort((a, b) => b.confidence - a.confidence);
    return {
      width: w,
      height: h,
      detections,
      timings: {
        ...frame.timings,
        inferenceMs,
        postprocessMs: performance.now() - started - inferenceMs,
      },
    };
  }

  /**
   * The local model as the detection server offers it to other machines (loaded if need be);
   * undefined while detection here runs on inference servers or no model is ready.
   */
  async servedModel(): Promise<ServedModel | undefined> {
    if (!(await this.ensureLoaded())) return undefined;
    const model = this.loaded;
    if (!model?.local) return undefined;
    return {
      name: this.deps.settings().model,
      inputs: model.inputs,
      outputs: model.outputs,
      run: (inputName, tensor, dims) => model.worker.infer(inputName, tensor, dims),
    };
  }

  /** Detects objects in a snapshot file or encoded image: prepare, then infer. */
  async detect(source: string | Buffer, options: DetectOptions): Promise<DetectResult> {
    return this.infer(await this.prepare(source), options);
  }

  /** The loaded session's model path and family, for logs and records. */
  modelName(): string | null {
    return this.loaded ? path.basename(this.loaded.path) : null;
  }

  private async unload(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (loaded) await loaded.worker.close();
  }

  async close(): Promise<void> {
    await this.loading;
    await this.unload();
    await this.pool?.close();
    this.pool = undefined;
    await Promise.all(this.retiring);
  }
}

/** What a queued snapshot does while no detector is ready. */
const SNAPSHOTS_WAIT = 'snapshots wait in the queue until one answers';

/** A file's size and modification time ('' when it is gone): whether it changed. */
function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '';
  }
}

/** Why a model file did not load, in words (a damaged file says what to do about it). */
function loadFailure(file: string, message: string): string {
  if (/Protobuf parsing failed|ModelProto does not have a graph/i.test(message)) {
    return (
      `${file} is not a readable ONNX model: the file is damaged or was only partly ` +
      `downloaded. Download it again or choose another model in the detector settings (${message})`
    );
  }
  return `${file} cannot be loaded: ${message}`;
}

/** How outputs differ from the model's declared ones (open dimensions match anything). */
function outputMismatch(
  declared: TensorMeta[],
  got: Record<string, { dims: readonly number[] }>,
): string | undefined {
  for (const d of declared) {
    const out = got[d.name];
    if (!out) return `the output ${d.name} is missing from the answer`;
    const fits =
      out.dims.length === d.shape.length &&
      d.shape.every((want, i) => typeof want !== 'number' || want < 0 || want === out.dims[i]);
    if (!fits) {
      return `the output ${d.name} came back as [${out.dims.join(', ')}], not [${d.shape.join(', ')}]`;
    }
  }
  return undefined;
}

function clamp(v: number, max: number): number {
  return Math.min(Math.max(v, 0), max);
}
