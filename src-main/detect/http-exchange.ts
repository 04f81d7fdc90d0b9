import http from 'node:http';
import https from 'node:https';
import { CallerError } from '../common/endpoint-pool';
import { redactUrl } from '../common/redact';

/** Connections to inference servers stay open between requests. */
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/**
 * One HTTP exchange with an inference server over a kept-alive connection (node:http: about
 * half the time of fetch for megabyte bodies on loopback), the body written in pieces. A 2xx
 * answer resolves; any other throws with the server's `{"error": …}` (or its text): a 400 as
 * the caller's fault (no other replica would answer differently), the rest as the server's.
 */
export function exchange(
  url: URL,
  o: {
    method?: string;
    headers?: http.OutgoingHttpHeaders;
    chunks?: Buffer[];
    token?: string;
    timeoutMs: number;
  },
): Promise<{ body: Buffer; headers: http.IncomingHttpHeaders }> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method: o.method ?? 'GET',
        agent: agents[secure ? 'https:' : 'http:'],
        headers: { ...o.headers, ...(o.token && { authorization: `Bearer ${o.token}` }) },
        timeout: o.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve({ body, headers: res.headers });
            return;
          }
          const text = body.subarray(0, 300).toString('utf8');
          let message = text;
          try {
            const error = (JSON.parse(text) as { error?: unknown }).error;
            message = typeof error === 'string' ? error : text;
          } catch {
            // not JSON: the text itself
          }
          const detail = `HTTP ${status}${message ? `: ${message}` : ''}`;
          reject(status === 400 ? new CallerError(detail) : new Error(detail));
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(
        Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: NO_ANSWER }),
      ),
    );
    req.on('error', (err) =>
      reject(isTimeout(err) ? err : new Error(`cannot connect: ${redactUrl(err.message)}`)),
    );
    for (const chunk of o.chunks ?? []) req.write(chunk);
    req.end();
  });
}

/** The code of the error for an answer that did not come in time (not a socket's ETIMEDOUT). */
const NO_ANSWER = 'HSI_NO_ANSWER';

/** The request's answer did not come within its timeout (a late one may still arrive). */
export const isTimeout = (err: unknown): boolean =>
  (err as NodeJS.ErrnoException | undefined)?.code === NO_ANSWER;
