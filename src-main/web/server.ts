import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ErrorBody, ErrorCode, RpcResult } from '../../src-shared/errors';
import { toErrorBody } from '../bridge/router';
import type { MediaBody } from '../media/media-service';
import { HTTP_STATUS } from '../../src-shared/errors';
import type { App } from '../app/compose';
import {
  allowedHosts,
  bearerToken,
  hostAllowed,
  originAllowed,
  rendererCsp,
  tokenMatches,
} from './http-security';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/**
 * `/api/media/images/<id>` and `/api/media/detections/<id>` (`?boxes=1` draws the boxes).
 * Shared by the HTTP bridge and Electron's app:// protocol. Undefined: not a media path.
 */
export async function mediaResponse(app: App, url: URL): Promise<RpcResult<MediaBody> | undefined> {
  const m = /^\/api\/media\/(images|detections)\/([^/]+)$/.exec(url.pathname);
  if (!m) return undefined;
  const boxes = url.searchParams.get('boxes') === '1';
  try {
    if (m[1] === 'images') {
      const id = Number(m[2]);
      if (!Number.isInteger(id) || id < 1) {
        return { ok: false, error: { code: 'not_found', message: 'No such image' } };
      }
      return { ok: true, data: await app.media.image(id, { boxes }) };
    }
    return { ok: true, data: await app.media.detectionImage(decodeURIComponent(m[2]!), { boxes }) };
  } catch (err) {
    const { body } = toErrorBody(err);
    return { ok: false, error: body };
  }
}

export interface WebServerOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Built renderer bundle (vite output). */
  rendererDir?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
  /** Connected WebSocket clients. */
  clientCount(): number;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function sendError(res: http.ServerResponse, error: ErrorBody, status = HTTP_STATUS[error.code]) {
  sendJson(res, status, { ok: false, error });
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError('too_large', 'Request body is too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError('too_large', 'Request body is too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError('invalid_input', 'Request body is not valid JSON');
  }
}

/**
 * The headless bridge: the same router over HTTP (POST /api/rpc/<channel>), push events
 * over a WebSocket, the renderer bundle at `/`. Bearer token on everything but /healthz.
 */
export async function startWebServer(app: App, options: WebServerOptions = {}): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const rendererDir = options.rendererDir;
  const log = app.logger.child({ module: 'web' });
  let hosts = new Set<string>();
  const sockets = new Set<WebSocket>();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'request failed');
      if (!res.headersSent) sendError(res, { code: 'internal', message: 'Internal error' });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    if (!hostAllowed(req, hosts)) {
      sendError(res, { code: 'unauthorized', message: 'Host header not allowed' }, 403);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorised = () =>
      tokenMatches(bearerToken(req), token) || tokenMatches(url.searchParams.get('token'), token);

    if (url.pathname === '/healthz') {
      const health = await app.router.invoke('system.health', {}, { transport: 'http' });
      const status = health.ok ? (health.data as { status: string }).status : 'degraded';
      sendJson(res, 200, { status });
      return;
    }

    if (url.pathname.startsWith('/api/rpc/')) {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendError(res, { code: 'invalid_input', message: 'Use POST' }, 405);
        return;
      }
      if (!tokenMatches(bearerToken(req), token)) {
        sendError(res, { code: 'unauthorized', message: 'Missing or wrong bearer token' });
        return;
      }
      let input: unknown;
      try {
        input = await readJsonBody(req);
      } catch (err) {
        if (err instanceof HttpError) {
          sendError(res, { code: err.code, message: err.message });
          return;
        }
        throw err;
      }
      const channel = decodeURIComponent(url.pathname.slice('/api/rpc/'.length));
      const correlationHeader = req.headers['x-correlation-id'];
      const result = await app.router.invoke(channel, input, {
        transport: 'http',
        correlationId:
          typeof correlationHeader === 'string' ? correlationHeader.slice(0, 100) : undefined,
      });
      if (result.ok) sendJson(res, 200, result);
      else sendError(res, result.error);
      return;
    }

    if (url.pathname === '/metrics') {
      if (!authorised()) {
        sendError(res, { code: 'unauthorized', message: 'Missing or wrong token' });
        return;
      }
      const text = await app.metrics.text();
      res.writeHead(200, { 'content-type': app.metrics.contentType });
      res.end(text);
      return;
    }

    if (url.pathname.startsWith('/api/')) {
      if (!authorised()) {
        sendError(res, { code: 'unauthorized', message: 'Missing or wrong token' });
        return;
      }
      const upload = /^\/api\/ingest\/upload\/([^/]+)$/.exec(url.pathname);
      if (upload && req.method === 'POST') {
        await handleUpload(decodeURIComponent(upload[1]!), req, res);
        return;
      }
      const download = /^\/api\/exports\/([^/]+)\/download$/.exec(url.pathname);
      if (download && (req.method === 'GET' || req.method === 'HEAD')) {
        await handleDownload(decodeURIComponent(download[1]!), req, res);
        return;
      }
      const media = await mediaResponse(app, url);
      if (media) {
        if (!media.ok) {
          sendError(res, media.error);
          return;
        }
        res.writeHead(200, {
          'content-type': media.data.contentType,
          'content-length': media.data.body.length,
          'cache-control': 'private, max-age=300',
          'x-content-type-options': 'nosniff',
        });
        res.end(media.data.body);
        return;
      }
      sendError(res, { code: 'not_found', message: `No route ${url.pathname}` });
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, { code: 'not_found', message: `No route ${url.pathname}` });
      return;
    }
    await serveRenderer(url.pathname, res);
  }

  /** A finished export file, streamed (never read whole into memory). */
  async function handleDownload(id: string, req: http.IncomingMessage, res: http.ServerResponse) {
    let info: Awaited<ReturnType<App['exports']['downloadInfo']>>;
    try {
      info = await app.exports.downloadInfo(id);
    } catch (err) {
      sendError(res, toErrorBody(err).body);
      return;
    }
    const ascii = info.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
    res.writeHead(200, {
      'content-type': info.contentType,
      'content-length': info.fileSize,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(info.fileName)}`,
      'x-content-sha256': info.sha256,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      await pipeline(fs.createReadStream(info.path), res);
    } catch (err) {
      app.logger.warn({ err, exportId: id }, 'export download interrupted');
      res.destroy();
    }
  }

  /** Drag-and-drop import from a browser: the raw image is the body, its name a header. */
  async function handleUpload(
    cameraId: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_UPLOAD_BYTES) {
      sendError(res, { code: 'too_large', message: 'Images up to 25 MB can be imported' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_UPLOAD_BYTES) {
        sendError(res, { code: 'too_large', message: 'Images up to 25 MB can be imported' });
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const nameHeader = req.headers['x-file-name'];
    const name = typeof nameHeader === 'string' ? decodeURIComponent(nameHeader) : 'upload.jpg';
    try {
      const data = await app.ingest.importBytes(cameraId, name, Buffer.concat(chunks));
      sendJson(res, 200, { ok: true, data });
    } catch (err) {
      sendError(res, toErrorBody(err).body);
    }
  }

  async function serveRenderer(pathname: string, res: http.ServerResponse) {
    const headers = {
      'content-security-policy': rendererCsp(),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    };
    if (!rendererDir || !fs.existsSync(path.join(rendererDir, 'index.html'))) {
      res.writeHead(200, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('The renderer is not built yet. Run `npm run build:renderer`, then reload.\n');
      return;
    }
    const root = path.resolve(rendererDir);
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      sendError(res, { code: 'invalid_input', message: 'Bad path' });
      return;
    }
    let file = path.resolve(root, '.' + path.posix.normalize(relative));
    if (!file.startsWith(root + path.sep) && file !== root) {
      sendError(res, { code: 'not_found', message: 'Not found' });
      return;
    }
    let stat = await fsp.stat(file).catch(() => undefined);
    if (!stat?.isFile()) {
      // Client-side routes fall back to the app shell; missing assets are 404s.
      if (path.extname(file)) {
        sendError(res, { code: 'not_found', message: 'Not found' });
        return;
      }
      file = path.join(root, 'index.html');
      stat = await fsp.stat(file);
    }
    const type = MIME[path.extname(file)] ?? 'application/octet-stream';
    const cache = file.includes(`${path.sep}assets${path.sep}`)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    res.writeHead(200, {
      ...headers,
      'content-type': type,
      'content-length': stat.size,
      'cache-control': cache,
    });
    fs.createReadStream(file).pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`);
    };
    if (url.pathname !== '/api/events') return reject(404, 'Not Found');
    if (!hostAllowed(req, hosts) || !originAllowed(req, hosts)) return reject(403, 'Forbidden');
    if (!tokenMatches(url.searchParams.get('token') ?? bearerToken(req), token)) {
      return reject(401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket & { isAlive?: boolean }) => {
    sockets.add(ws);
    ws.isAlive = true;
    ws.on('pong', () => (ws.isAlive = true));
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
    ws.send(JSON.stringify({ type: 'hello', data: { version: 1 } }));
  });

  const unsubscribe = app.bus.subscribe((message) => {
    const text = JSON.stringify(message);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  // Drop clients that stopped answering pings.
  const heartbeat = setInterval(() => {
    for (const ws of sockets as Set<WebSocket & { isAlive?: boolean }>) {
      if (ws.isAlive === false) {
        ws.terminate();
        sockets.delete(ws);
        continue;
      }
      ws.isAlive = false;
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${urlHost}:${port}`;

  return {
    url,
    port,
    token,
    clientCount: () => sockets.size,
    async close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const ws of sockets) ws.close(1001, 'server shutting down');
      wss.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
