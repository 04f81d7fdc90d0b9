/**
 * The renderer's one client for the operator API (API.md), over either transport:
 * - Electron: `window.hsi` from the preload (IPC);
 * - browser (`hsi serve`): HTTP for calls, a WebSocket for push events, with the access
 *   token taken from the page URL once and kept in memory only.
 * React-free: `main.tsx` creates the client and hands it to the app through context
 * (`app-context.tsx`); nothing connects until `connect()` is called.
 */
import type {
  ChannelInput,
  ChannelName,
  ChannelOutput,
  HsiBridge,
  HsiClient,
  ImportResult,
  PushEvents,
  PushType,
} from '../src-shared/contract';
import type { ErrorCode, ValidationIssue } from '../src-shared/errors';
import {
  MAX_UPLOAD_BYTES,
  NOT_AN_IMAGE_MESSAGE,
  TOO_LARGE_MESSAGE,
  isImageName,
} from '../src-shared/images';

export const NO_TOKEN_MESSAGE =
  'No access token: open the link printed by `hsi serve` (it ends in ?token=…)';

const UNREACHABLE_MESSAGE =
  'Cannot reach the Home Security Intelligence server. Check that `hsi serve` is still running, then try again.';

const NO_PATH_MESSAGE = "The app could not read this file's location";
/** The most paths one `ingest.importFiles` call takes. */
const MAX_PATHS_PER_CALL = 1000;

/** The push channel's state, as the connection indicator shows it. */
export interface ConnectionReport {
  state: 'connecting' | 'connected' | 'disconnected';
  /** Why we cannot connect at all (not a passing outage). */
  problem?: 'no-token' | null;
  /** The push channel came back after an outage (missed pushes: reload what is shown). */
  reconnected?: boolean;
}

/** The operator API plus what only the renderer needs: media URLs and image import. */
export interface RendererClient extends HsiClient {
  /** Opens the push channel (reconnecting as needed); returns what closes it. */
  connect(report: (report: ConnectionReport) => void): () => void;
  /** A URL an `<img>` can load for a `/api/media/…` path (adds the token in browser mode). */
  mediaUrl(path: string): string;
  /**
   * Where a browser downloads a completed export (the token added), or null in the desktop
   * app, which saves through `exports.saveAs` / `exports.reveal` instead.
   */
  exportDownloadUrl(id: string): string | null;
  /**
   * Imports images into a camera's queue. Files that are not .jpg/.jpeg/.png are rejected
   * here; per-file failures come back in `rejected` rather than as a thrown error.
   */
  uploadFiles(cameraId: string, files: File[]): Promise<ImportResult>;
  /**
   * The file-system path of a picked or dropped file; only the desktop app can tell it (a
   * browser never learns where a file lives), so it is absent there.
   */
  pathForFile?: (file: File) => string;
}

/** Splits off the files the server would refuse anyway (by name). */
function partitionImages(files: File[]): { images: File[]; rejected: ImportResult['rejected'] } {
  const images: File[] = [];
  const rejected: ImportResult['rejected'] = [];
  for (const file of files) {
    if (isImageName(file.name)) images.push(file);
    else rejected.push({ path: file.name, reason: NOT_AN_IMAGE_MESSAGE });
  }
  return { images, rejected };
}

/** A failed call: the server's error code and message, plus validation issues if any. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues?: ValidationIssue[];

  constructor(code: ErrorCode, message: string, issues?: ValidationIssue[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (issues) this.issues = issues;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function toIssues(value: unknown): ValidationIssue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const issues: ValidationIssue[] = [];
  for (const item of value as unknown[]) {
    if (!isRecord(item) || typeof item.message !== 'string') continue;
    const path = Array.isArray(item.path)
      ? (item.path as unknown[]).filter(
          (p): p is string | number => typeof p === 'string' || typeof p === 'number',
        )
      : [];
    const issue: ValidationIssue = { path, message: item.message };
    if (typeof item.code === 'string') issue.code = item.code;
    issues.push(issue);
  }
  return issues;
}

/** `{ ok: true, data }` → data; `{ ok: false, error }` → throws ApiError. */
export function unwrapResult(result: unknown): unknown {
  if (isRecord(result) && result.ok === true) return result.data;
  if (isRecord(result) && result.ok === false && isRecord(result.error)) {
    const { code, message, issues } = result.error;
    throw new ApiError(
      typeof code === 'string' ? (code as ErrorCode) : 'internal',
      typeof message === 'string' ? message : 'The request failed',
      toIssues(issues),
    );
  }
  throw new ApiError('internal', 'The server sent an answer the app does not understand');
}

type AnyListener = (data: unknown) => void;

/** Push listeners by event type. */
class ListenerSet {
  private readonly byType = new Map<string, Set<AnyListener>>();

  add(type: string, listener: AnyListener): () => void {
    let set = this.byType.get(type);
    if (!set) {
      set = new Set();
      this.byType.set(type, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  dispatch(type: string, data: unknown): void {
    const set = this.byType.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(data);
      } catch (err) {
        // One broken listener must not stop the others; surface it like an uncaught error.
        reportError(err);
      }
    }
  }
}

export function createElectronClient(bridge: HsiBridge): RendererClient {
  const invoke = async <C extends ChannelName>(
    channel: C,
    input: ChannelInput<C>,
  ): Promise<ChannelOutput<C>> => {
    let result: unknown;
    try {
      result = await bridge.invoke(channel, input);
    } catch (err) {
      throw new ApiError(
        'unavailable',
        err instanceof Error ? err.message : 'The app backend did not answer',
      );
    }
    return unwrapResult(result) as ChannelOutput<C>;
  };

  return {
    invoke,
    // IPC is up as long as the window is.
    connect(report) {
      report({ state: 'connected', problem: null });
      return () => undefined;
    },
    on<T extends PushType>(type: T, listener: (data: PushEvents[T]) => void): () => void {
      return bridge.on(type, listener as AnyListener);
    },
    // The page runs at app://hsi/ and the protocol serves /api/media/… as is.
    mediaUrl: (path) => path,
    exportDownloadUrl: () => null,
    async uploadFiles(cameraId, files) {
      const { images, rejected } = partitionImages(files);
      const paths: string[] = [];
      for (const file of images) {
        let filePath = '';
        try {
          filePath = bridge.pathForFile?.(file) ?? '';
        } catch {
          filePath = '';
        }
        if (filePath) paths.push(filePath);
        else rejected.push({ path: file.name, reason: NO_PATH_MESSAGE });
      }
      let queued = 0;
      for (let i = 0; i < paths.length; i += MAX_PATHS_PER_CALL) {
        const chunk = paths.slice(i, i + MAX_PATHS_PER_CALL);
        try {
          const result = await invoke('ingest.importFiles', { cameraId, paths: chunk });
          queued += result.queued;
          rejected.push(...result.rejected);
        } catch (err) {
          const reason = errorMessage(err);
          rejected.push(...chunk.map((p) => ({ path: p, reason })));
        }
      }
      return { queued, rejected };
    },
    ...(bridge.pathForFile && { pathForFile: (file: File) => bridge.pathForFile?.(file) ?? '' }),
  };
}

/** Reads `?token=` from the address once and removes it from the address bar (hash kept). */
export function takeTokenFromUrl(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  return token || null;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;

/** One image POSTed to `/api/ingest/upload/<cameraId>`; failures become a rejection. */
async function uploadOne(token: string, cameraId: string, file: File): Promise<ImportResult> {
  const reject = (reason: string): ImportResult => ({
    queued: 0,
    rejected: [{ path: file.name, reason }],
  });
  if (file.size > MAX_UPLOAD_BYTES) return reject(TOO_LARGE_MESSAGE);
  let response: Response;
  try {
    response = await fetch('/api/ingest/upload/' + encodeURIComponent(cameraId), {
      method: 'POST',
      headers: {
        Authorization: 'Bearer ' + token,
        'x-file-name': encodeURIComponent(file.name),
        'content-type': 'application/octet-stream',
      },
      body: file,
    });
  } catch {
    return reject(UNREACHABLE_MESSAGE);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return reject(
      response.status === 413
        ? TOO_LARGE_MESSAGE
        : `The server answered HTTP ${response.status} without a readable body`,
    );
  }
  try {
    const data = unwrapResult(body);
    if (!isRecord(data) || typeof data.queued !== 'number' || !Array.isArray(data.rejected)) {
      return reject('The server sent an answer the app does not understand');
    }
    const rejected: ImportResult['rejected'] = [];
    for (const item of data.rejected as unknown[]) {
      if (isRecord(item) && typeof item.reason === 'string') {
        rejected.push({
          path: typeof item.path === 'string' ? item.path : file.name,
          reason: item.reason,
        });
      }
    }
    return { queued: data.queued, rejected };
  } catch (err) {
    return reject(errorMessage(err));
  }
}

export function createBrowserClient(token: string | null): RendererClient {
  const listeners = new ListenerSet();

  return {
    connect(report) {
      if (token === null) {
        report({ state: 'disconnected', problem: 'no-token' });
        return () => undefined;
      }
      return connectEvents(token, listeners, report);
    },
    async invoke<C extends ChannelName>(
      channel: C,
      input: ChannelInput<C>,
    ): Promise<ChannelOutput<C>> {
      if (token === null) throw new ApiError('unauthorized', NO_TOKEN_MESSAGE);
      let response: Response;
      try {
        response = await fetch('/api/rpc/' + channel, {
          method: 'POST',
          headers: { Authorization: 'Bearer ' + token, 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
          // Measurements sent as the page goes away must outlive it (a beacon's job).
          keepalive: channel === 'rum.ingest',
        });
      } catch {
        throw new ApiError('unavailable', UNREACHABLE_MESSAGE);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new ApiError(
          response.status === 503 ? 'unavailable' : 'internal',
          `The server answered HTTP ${response.status} without a readable body`,
        );
      }
      return unwrapResult(body) as ChannelOutput<C>;
    },
    on<T extends PushType>(type: T, listener: (data: PushEvents[T]) => void): () => void {
      return listeners.add(type, listener as AnyListener);
    },
    // <img> cannot send headers: the media routes also take the token as a query parameter.
    mediaUrl(path) {
      if (token === null) return path;
      const separator = path.includes('?') ? '&' : '?';
      return `${path}${separator}token=${encodeURIComponent(token)}`;
    },
    // A plain link, so the browser streams the file to disk and shows its own progress.
    exportDownloadUrl(id) {
      const path = `/api/exports/${encodeURIComponent(id)}/download`;
      return token === null ? path : `${path}?token=${encodeURIComponent(token)}`;
    },
    async uploadFiles(cameraId, files) {
      if (token === null) throw new ApiError('unauthorized', NO_TOKEN_MESSAGE);
      const { images, rejected } = partitionImages(files);
      let queued = 0;
      // One at a time: each may be up to 25 MB, and the queue applies back-pressure anyway.
      for (const file of images) {
        const result = await uploadOne(token, cameraId, file);
        queued += result.queued;
        rejected.push(...result.rejected);
      }
      return { queued, rejected };
    },
  };
}

/**
 * The push-event WebSocket, reconnecting with exponential backoff (0.5 s doubling to 10 s);
 * returns what closes it for good.
 */
function connectEvents(
  token: string,
  listeners: ListenerSet,
  report: (report: ConnectionReport) => void,
): () => void {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${window.location.host}/api/events?token=${encodeURIComponent(token)}`;
  let backoff = MIN_BACKOFF_MS;
  let everOpened = false;
  let closed = false;
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    if (closed) return;
    report({ state: 'connecting' });
    try {
      socket = new WebSocket(url);
    } catch {
      retry();
      return;
    }
    socket.addEventListener('open', () => {
      backoff = MIN_BACKOFF_MS;
      report({ state: 'connected', reconnected: everOpened });
      everOpened = true;
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (isRecord(message) && typeof message.type === 'string') {
        listeners.dispatch(message.type, message.data);
      }
    });
    socket.addEventListener('close', () => {
      if (closed) return;
      report({ state: 'disconnected' });
      retry();
    });
  };

  const retry = () => {
    const delay = backoff;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    timer = setTimeout(open, delay);
  };

  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    socket?.close();
  };
}

/** The client for where the page runs: the Electron bridge, else the browser bridge. */
export function createClient(): RendererClient {
  if (window.hsi) return createElectronClient(window.hsi);
  return createBrowserClient(takeTokenFromUrl());
}

/** A message a person can read, from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong';
}
