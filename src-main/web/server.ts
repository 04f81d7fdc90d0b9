import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ConnectionHandle } from '../common/connections';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ErrorBody } from '../../src-shared/errors';
import { AppError, HTTP_STATUS } from '../../src-shared/errors';
import { MAX_UPLOAD_BYTES, TOO_LARGE_MESSAGE } from '../../src-shared/images';
import type { App } from '../app/compose';
import { respondToError } from '../bridge/errors';
import { withCorrelation } from '../common/correlation';
import { rendererCsp } from '../common/csp';
import { isInside } from '../common/paths';
import { mediaRequest } from '../media';
import {
  allowedHosts,
  bearerToken,
  hostAllowed,
  originAllowed,
  tokenMatches,
} from './http-security';

export const MAX_BODY_BYTES = 1024 * 1024;
/** WebSocket clients at once; more are refused with 503 (each costs a socket and every push). */
export const MAX_WS_CLIENTS = 64;

export interface WebServerOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Built renderer bundle (vite output). */
  rendererDir?: string;
  /** WebSocket clients at once (default MAX_WS_CLIENTS); the next ones get 503. */
  maxClients?: number;
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

/** A request body, refused past `limit` bytes (by its declared length, or as it streams in). */
async function readBody(req: http.IncomingMessage, limit: number, tooLarge: string) {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new AppError('too_large', tooLarge);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AppError('too_large', tooLarge);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const body = await readBody(req, MAX_BODY_BYTES, 'Request body is too large');
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new AppError('invalid_input', 'Request body is not valid JSON');
  }
}

/** The request's URL; one that does not parse is the client's error, not ours. */
function parseUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    throw new AppError('invalid_input', 'Malformed request URL');
  }
}

/** A percent-encoded part of the request (a path segment, a header). */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new AppError('invalid_input', 'Malformed request URL');
  }
}

/**
 * The headless bridge: the same router over HTTP (POST /api/rpc/<channel>), push events
 * over a WebSocket, the renderer bundle at `/`. Bearer token on everything but /healthz.
 * Every route answers failures through the same responder as the router.
 */
export async function startWebServer(app: App, options: WebServerOptions = {}): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const rendererDir = options.rendererDir;
  const maxClients = options.maxClients ?? MAX_WS_CLIENTS;
  const log = app.logger.child({ module: 'web' });
  let hosts = new Set<string>();
  const sockets = new Set<WebSocket>();

  const server = http.createServer((req, res) => {
    const header = req.headers['x-correlation-id'];
    const correlationId = typeof header === 'string' ? header.slice(0, 100) : randomUUID();
    // Channel calls get their context from the router once the body is read; the other routes
    // run in it from the start (entering it early costs an RPC ~0.2 ms at p95, measured).
    const run = () => handle(req, res, correlationId);
    const handled = req.url?.startsWith('/api/rpc/') ? run() : withCorrelation(correlationId, run);
    handled.catch((err: unknown) => {
      const route = req.url?.split('?')[0] ?? '/';
      try {
        if (res.headersSent) {
          log.warn({ err, route }, 'response interrupted');
          res.destroy();
          return;
        }
        const error = respondToError(err, log, { correlationId, route });
        sendError(res, error);
        // A body refused half-way for its size is not read to its end: drop the connection
        // once the answer is out.
        if (error.code === 'too_large' && !req.complete) res.once('finish', () => req.destroy());
      } catch (failed) {
        log.error({ err: failed, route }, 'could not answer a failed request');
        res.destroy();
      }
    });
  });

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    correlationId: string,
  ) {
    if (!hostAllowed(req, hosts)) {
      sendError(res, { code: 'unauthorized', message: 'Host header not allowed' }, 403);
      return;
    }
    const url = parseUrl(req.url);
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
        throw new AppError('unauthorized', 'Missing or wrong bearer token');
      }
      const input = await readJsonBody(req);
      const channel = decodePart(url.pathname.slice('/api/rpc/'.length));
      const result = await app.router.invoke(channel, input, { transport: 'http', correlationId });
      if (result.ok) sendJson(res, 200, result);
      else sendError(res, result.error);
      return;
    }

    if (url.pathname === '/metrics' || url.pathname.startsWith('/api/')) {
      if (!authorised()) throw new AppError('unauthorized', 'Missing or wrong token');
    }
    if (url.pathname === '/metrics') {
      const text = await app.metrics.text();
      res.writeHead(200, { 'content-type': app.metrics.contentType });
      res.end(text);
      return;
    }

    if (url.pathname.startsWith('/api/')) {
      const upload = /^\/api\/ingest\/upload\/([^/]+)$/.exec(url.pathname);
      if (upload && req.method === 'POST') {
        await handleUpload(decodePart(upload[1]!), req, res);
        return;
      }
      const download = /^\/api\/exports\/([^/]+)\/download$/.exec(url.pathname);
      if (download && (req.method === 'GET' || req.method === 'HEAD')) {
        await handleDownload(decodePart(download[1]!), req, res);
        return;
      }
      const media = await mediaRequest(app.media, url);
      if (media) {
        res.writeHead(200, {
          'content-type': media.contentType,
          'content-length': media.body.length,
          'cache-control': 'private, max-age=300',
          'x-content-type-options': 'nosniff',
        });
        res.end(media.body);
        return;
      }
      throw new AppError('not_found', `No route ${url.pathname}`);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new AppError('not_found', `No route ${url.pathname}`);
    }
    await serveRenderer(url.pathname, res);
  }

  /**
   * A finished export file, streamed (never read whole into memory). The file itself only: a
   * link put in its place (by anything that can write to the exports folder) could lead to any
   * file this user can read, so it is not followed.
   */
  async function handleDownload(id: string, req: http.IncomingMessage, res: http.ServerResponse) {
    const info = await app.exports.downloadInfo(id);
    const gone = () =>
      new AppError('not_found', 'The export file is no longer on disk; start the export again');
    if (!(await fsp.lstat(info.path).catch(() => undefined))?.isFile()) throw gone();
    const file = await fsp
      .open(info.path, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0))
      .catch(() => undefined);
    if (!file) throw gone();
    if (!(await file.stat()).isFile()) {
      await file.close();
      throw gone();
    }
    if (req.method === 'HEAD') await file.close();
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
      await pipeline(file.createReadStream(), res);
    } catch (err) {
      log.warn({ err, exportId: id }, 'export download interrupted');
      res.destroy();
    }
  }

  /** Drag-and-drop import from a browser: the raw image is the body, its name a header. */
  async function handleUpload(
    cameraId: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) {
    const bytes = await readBody(req, MAX_UPLOAD_BYTES, TOO_LARGE_MESSAGE);
    const nameHeader = req.headers['x-file-name'];
    const name = typeof nameHeader === 'string' ? decodePart(nameHeader) : 'upload.jpg';
    const data = await app.ingest.importBytes(cameraId, name, bytes);
    sendJson(res, 200, { ok: true, data });
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
    let file = path.resolve(root, '.' + path.posix.normalize(decodePart(pathname)));
    if (!isInside(root, file, { ignoreCase: false })) throw new AppError('not_found', 'Not found');
    let stat = await fsp.stat(file).catch(() => undefined);
    if (!stat?.isFile()) {
      // Client-side routes fall back to the app shell; missing assets are 404s.
      if (path.extname(file)) throw new AppError('not_found', 'Not found');
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
  let upgrading = 0;
  let refusedClients = 0;
  let refusalLoggedAt = 0;
  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`);
    };
    let url: URL;
    try {
      url = parseUrl(req.url);
    } catch {
      return reject(400, 'Bad Request');
    }
    if (url.pathname !== '/api/events') return reject(404, 'Not Found');
    if (!hostAllowed(req, hosts) || !originAllowed(req, hosts)) return reject(403, 'Forbidden');
    if (!tokenMatches(url.searchParams.get('token') ?? bearerToken(req), token)) {
      return reject(401, 'Unauthorized');
    }
    // Counted from the handshake on, so a burst of upgrades cannot pass the limit together.
    if (sockets.size + upgrading >= maxClients) {
      refusedClients += 1;
      if (Date.now() - refusalLoggedAt > 60_000) {
        refusalLoggedAt = Date.now();
        log.warn(
          { limit: maxClients, refused: refusedClients },
          'WebSocket client refused: too many clients connected',
        );
      }
      return reject(503, 'Service Unavailable');
    }
    // A handshake ws refuses (bad headers) ends with the socket, never reaching the callback.
    upgrading += 1;
    let pending = true;
    const settle = () => {
      if (pending) upgrading -= 1;
      pending = false;
    };
    socket.once('close', settle);
    wss.handleUpgrade(req, socket, head, (ws) => {
      settle();
      socket.off('close', settle);
      wss.emit('connection', ws, req);
    });
  });

  const handles = new WeakMap<WebSocket, ConnectionHandle>();
  wss.on('connection', (ws: WebSocket & { isAlive?: boolean }, req: http.IncomingMessage) => {
    sockets.add(ws);
    const handle = app.connections.add('websocket', req.headers.origin ?? null);
    handles.set(ws, handle);
    ws.isAlive = true;
    ws.on('pong', () => (ws.isAlive = true));
    const gone = () => {
      sockets.delete(ws);
      handle.close();
    };
    ws.on('close', gone);
    ws.on('error', gone);
    ws.send(JSON.stringify({ type: 'hello', data: { version: 1 } }));
  });

  const unsubscribe = app.push.subscribe((message) => {
    const text = JSON.stringify(message);
    for (const ws of sockets) {
      const handle = handles.get(ws);
      if (ws.readyState === ws.OPEN) {
        ws.send(text);
        handle?.sent();
      } else handle?.dropped();
    }
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
