import http from 'node:http';
import https from 'node:https';
import { CallerError } from '../common/endpoint-pool';
import { redactUrl } from '../common/redact';
import type { RemoteEndpointConfig } from './remote-v2';

const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
};
const REQUEST_TIMEOUT_MS = 30_000;

export interface Prediction {
  label: string;
  confidence: number;
  x_min: number;
  y_min: number;
  x_max: number;
  y_max: number;
}

/**
 * One CodeProject.AI / DeepStack-compatible server (Blue Onyx, CodeProject.AI Server,
 * DeepStack, or this app's detection node): `POST /v1/vision/detection` with the image as the
 * multipart field `image`; it answers `predictions` in image pixels.
 */
export class CodeProjectEndpoint {
  readonly base: string;

  constructor(readonly config: RemoteEndpointConfig) {
    this.base = config.url.replace(/\/+$/, '');
  }

  get key(): string {
    return redactUrl(this.base);
  }

  detect(image: Buffer, minConfidence: number): Promise<Prediction[]> {
    const boundary = `----hsi${Math.random().toString(16).slice(2)}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="min_confidence"\r\n\r\n${minConfidence}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="snapshot.jpg"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL(`${this.base}/v1/vision/detection`);
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? agents.https : agents.http,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': head.length + image.length + tail.length,
            ...(this.config.token && { authorization: `Bearer ${this.config.token}` }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: { success?: boolean; predictions?: Prediction[]; error?: string } = {};
            try {
              body = JSON.parse(text) as typeof body;
            } catch {
              // described below
            }
            const status = res.statusCode ?? 0;
            if (
              status >= 200 &&
              status < 300 &&
              body.success !== false &&
              Array.isArray(body.predictions)
            ) {
              resolve(body.predictions);
              return;
            }
            const detail = `HTTP ${status}: ${(body.error ?? text.slice(0, 200)) || 'no predictions'}`;
            // A picture the server cannot read would be refused by any of them.
            reject(status === 400 ? new CallerError(detail) : new Error(detail));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (err) =>
        reject(
          err.message.startsWith('no answer')
            ? err
            : new Error(`cannot connect: ${redactUrl(err.message)}`),
        ),
      );
      req.write(head);
      req.write(image);
      req.end(tail);
    });
  }
}
