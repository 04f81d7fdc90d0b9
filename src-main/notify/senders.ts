import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Alert, SecurityEvent } from '../../src-shared/domain';
import { escapeHtml } from '../common/html';
import { redactUrl } from '../common/redact';
import type { DesktopNotification } from '../common/domain-events';
import type { StoredChannel } from './channel-repository';

/** A failed send: retry it (network, timeout, 5xx, 429) or give up (4xx, bad config). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface Notification {
  idempotencyKey: string;
  alert: Alert | null;
  event: SecurityEvent | null;
  test?: boolean;
  /** Several rate-limited alerts folded into one message. */
  digest?: { count: number; cameras: string[] };
  /** The event's best snapshot, attached to emails. */
  snapshotPath?: string;
}

/** "12 more alerts from Front Door in the last hour" */
export function digestText(d: { count: number; cameras: string[] }): string {
  const where = d.cameras.length ? ` from ${d.cameras.join(', ')}` : '';
  return `${d.count} more alert${d.count === 1 ? '' : 's'}${where} in the last hour`;
}

/** What a desktop notification says: severity and camera, then the event's summary. */
export function desktopNotification(n: Notification): DesktopNotification {
  return {
    title:
      n.test || n.digest
        ? 'Home Security Intelligence'
        : `${(n.alert?.severity ?? 'alert').toUpperCase()}: ${n.event?.cameraName ?? 'Camera'}`,
    body: n.test
      ? 'Desktop notifications work.'
      : n.digest
        ? digestText(n.digest)
        : (n.event?.summary ?? ''),
    severity: n.alert?.severity ?? 'low',
    eventId: n.event?.id ?? null,
  };
}

/** The webhook body (documented in the README). */
export function webhookPayload(n: Notification) {
  return {
    type: n.test ? 'test' : n.digest ? 'digest' : 'alert',
    idempotencyKey: n.idempotencyKey,
    ...(n.digest && { digest: { ...n.digest, text: digestText(n.digest) } }),
    alert: n.alert && {
      id: n.alert.id,
      ruleId: n.alert.ruleId,
      ruleName: n.alert.ruleName,
      severity: n.alert.severity,
      createdAt: n.alert.createdAt,
      matchedConditions: n.alert.matchedConditions,
    },
    event: n.event && {
      id: n.event.id,
      cameraId: n.event.cameraId,
      cameraName: n.event.cameraName,
      startedAt: n.event.startedAt,
      endedAt: n.event.endedAt,
      riskScore: n.event.riskScore,
      riskLevel: n.event.riskLevel,
      summary: n.event.summary,
      objectClasses: n.event.objectClasses,
    },
  };
}

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"). */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export async function sendWebhook(channel: StoredChannel, n: Notification): Promise<void> {
  const config = channel.config as { url: string; secret?: string; timeoutMs?: number };
  const body = JSON.stringify(webhookPayload(n));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'HomeSecurityIntelligence',
    'idempotency-key': n.idempotencyKey,
    'x-hsi-timestamp': timestamp,
  };
  if (config.secret) headers['x-hsi-signature'] = signature(config.secret, timestamp, body);
  // fetch refuses URLs with credentials: user:password@ goes as Basic authorization.
  const url = new URL(config.url);
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      // Redirects are answered below, never followed (see there).
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs ?? 5000),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is its cause.
    const why = e.cause?.code ?? e.cause?.message ?? e.message;
    throw new SendError(
      e.name === 'TimeoutError'
        ? 'No answer before the timeout'
        : `Cannot connect to ${url.host}: ${redactUrl(why)}`,
      true,
    );
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.ok) return;
  if (res.status >= 300 && res.status < 400) {
    // Following would send the signed alert (and any credentials) wherever the receiver
    // points, and a 301/302 turns the POST into a GET without its body: so the delivery
    // stops here, saying where the receiver pointed. Retrying would get the same answer.
    const to = redirectTarget(res.headers.get('location'), url);
    throw new SendError(
      `The receiver redirected the alert${to} (HTTP ${res.status}); redirects are not followed: ` +
        'put the final address in the channel and retry',
      false,
    );
  }
  if (res.status === 429)
    throw new SendError(
      'HTTP 429 Too Many Requests',
      true,
      retryAfterMs(res.headers.get('retry-after')),
    );
  throw new SendError(`HTTP ${res.status}`, res.status >= 500 || res.status === 408);
}

export async function sendEmail(channel: StoredChannel, n: Notification): Promise<void> {
  const c = channel.config as {
    host: string;
    port: number;
    security: 'tls' | 'starttls' | 'none';
    user?: string;
    password?: string;
    from: string;
    to: string[];
    timeoutMs?: number;
  };
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.security === 'tls',
    requireTLS: c.security === 'starttls',
    ignoreTLS: c.security === 'none',
    auth: c.user ? { user: c.user, pass: c.password ?? '' } : undefined,
    connectionTimeout: c.timeoutMs ?? 10_000,
    greetingTimeout: c.timeoutMs ?? 10_000,
    socketTimeout: c.timeoutMs ?? 10_000,
  });
  const e = n.event;
  const level = n.alert?.severity ?? e?.riskLevel ?? 'low';
  const subject = n.test
    ? 'Home Security Intelligence: test message'
    : n.digest
      ? `Home Security Intelligence: ${digestText(n.digest)}`
      : `[${level.toUpperCase()}] ${e?.cameraName ?? 'Camera'}: ${e?.summary ?? 'alert'}`.slice(
          0,
          200,
        );
  const lines = n.test
    ? ['This is a test message from Home Security Intelligence. Email notifications work.']
    : n.digest
      ? [`${digestText(n.digest)}.`, 'Open the Alerts page to see them.']
      : [
          `${e?.summary ?? ''}`,
          `Risk: ${e?.riskScore ?? '?'} (${e?.riskLevel ?? level})`,
          `Camera: ${e?.cameraName ?? ''}`,
          `Time: ${e ? new Date(e.startedAt).toLocaleString() : ''}`,
          `Rule: ${n.alert?.ruleName ?? ''}`,
        ];
  try {
    await transport.sendMail({
      from: c.from,
      to: c.to,
      subject,
      text: lines.join('\n'),
      html: `<div>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</div>`,
      headers: { 'X-HSI-Idempotency-Key': n.idempotencyKey },
      attachments: n.snapshotPath ? [{ filename: 'snapshot.jpg', path: n.snapshotPath }] : [],
      messageId: `<${n.idempotencyKey.replace(/[^\w.-]/g, '')}@hsi.local>`,
    });
  } catch (err) {
    throw emailError(err as NodemailerError, c);
  } finally {
    transport.close();
  }
}

/** " to <where>" for a redirect's Location (relative to the request), credentials hidden. */
function redirectTarget(location: string | null, base: URL): string {
  if (!location) return '';
  let where: string;
  try {
    where = new URL(location, base).href;
  } catch {
    where = location.slice(0, 200);
  }
  return ` to ${redactUrl(where)}`;
}

interface NodemailerError {
  message: string;
  code?: string;
  responseCode?: number;
}

/** A certificate the TLS handshake did not trust (self-signed, unknown issuer, wrong name…). */
const CERTIFICATE_PROBLEM = /certificate|altnames|CERT_/i;

/**
 * What went wrong sending an email, in words: SMTP 4xx is temporary (retried), 5xx permanent;
 * without a code it is the connection: refused or silent (retried), or a certificate this
 * computer does not trust (not retried: it will not change by itself).
 */
function emailError(e: NodemailerError, c: { host: string; port: number; timeoutMs?: number }) {
  const server = `the mail server ${c.host}:${c.port}`;
  const code = e.responseCode;
  if (code !== undefined) return new SendError(e.message, code >= 400 && code < 500);
  if (CERTIFICATE_PROBLEM.test(e.message)) {
    return new SendError(
      `TLS failed: ${server} showed a certificate this computer does not trust (${e.message}). ` +
        'Give the server a certificate from a trusted authority (for its host name), then retry',
      false,
    );
  }
  if (e.code === 'ETIMEDOUT') {
    return new SendError(
      `No answer from ${server} within ${c.timeoutMs ?? 10_000} ms (${e.message})`,
      true,
    );
  }
  if (/ECONNREFUSED/.test(e.message)) {
    return new SendError(`Cannot connect to ${server}: connection refused`, true);
  }
  return new SendError(`Cannot send through ${server}: ${redactUrl(e.message)}`, true);
}
