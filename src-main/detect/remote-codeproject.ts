import { redactUrl } from '../common/redact';
import { exchange } from './http-exchange';
import type { RemoteEndpointConfig } from './remote-v2';

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

  async detect(image: Buffer, minConfidence: number): Promise<Prediction[]> {
    const boundary = `----hsi${Math.random().toString(16).slice(2)}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="min_confidence"\r\n\r\n${minConfidence}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="snapshot.jpg"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const { body } = await exchange(new URL(`${this.base}/v1/vision/detection`), {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + image.length + tail.length,
      },
      chunks: [head, image, tail],
      token: this.config.token,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    let answer: { success?: boolean; predictions?: Prediction[]; error?: string } = {};
    try {
      answer = JSON.parse(body.toString('utf8')) as typeof answer;
    } catch {
      // described below
    }
    if (answer.success === false || !Array.isArray(answer.predictions)) {
      throw new Error(`no predictions: ${answer.error ?? body.subarray(0, 200).toString('utf8')}`);
    }
    return answer.predictions;
  }
}
