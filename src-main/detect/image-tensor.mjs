// Image decoding and the detector's input tensor. Plain JavaScript: the inference thread
// (inference-worker.mjs) runs it, so neither the decode nor the resize touches the main
// event loop. The main thread takes only ImageDecodeError from it; tests and benchmarks use
// the rest (types in .d.mts).
import sharp from 'sharp';

export class ImageDecodeError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

/** Opens an image strictly: truncated or corrupt files throw instead of decoding garbage. */
function openImage(input) {
  // Camera snapshots carry sRGB profiles at most; skipping colour management halves decode time.
  return sharp(input, { failOn: 'truncated', ignoreIcc: true, limitInputPixels: 8192 * 8192 });
}

/** Decodes the whole image to raw 8-bit RGB; truncated or corrupt data throws ImageDecodeError. */
export async function decodeRgb(input) {
  try {
    const { data, info } = await openImage(input)
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    return { data, width: info.width, height: info.height };
  } catch (err) {
    throw new ImageDecodeError(`Image does not decode: ${err?.message ?? String(err)}`);
  }
}

/**
 * Resizes and lays out an NCHW float tensor in one pass. The resize is plain bilinear with
 * half-pixel centres (as OpenCV's INTER_LINEAR, which the detectors were trained with), not
 * an antialiased reduce, so boxes and scores match the references — which is why it is
 * written here rather than left to an image library.
 */
export function layoutTensor(image, spec) {
  const { data, width: srcWidth, height: srcHeight } = image;
  let w;
  let h;
  if (spec.placement === 'stretch') {
    w = spec.width;
    h = spec.height;
  } else {
    const r = Math.min(spec.width / srcWidth, spec.height / srcHeight);
    w = Math.min(spec.width, Math.max(1, Math.round(srcWidth * r)));
    h = Math.min(spec.height, Math.max(1, Math.round(srcHeight * r)));
  }
  const padX = spec.placement === 'center' ? Math.floor((spec.width - w) / 2) : 0;
  const padY = spec.placement === 'center' ? Math.floor((spec.height - h) / 2) : 0;

  const plane = spec.width * spec.height;
  const tensor = new Float32Array(3 * plane);
  const [m0, m1, m2] = spec.mean;
  const [s0, s1, s2] = spec.std;
  if (w !== spec.width || h !== spec.height) {
    tensor.fill((spec.padValue - m0) / s0, 0, plane);
    tensor.fill((spec.padValue - m1) / s1, plane, 2 * plane);
    tensor.fill((spec.padValue - m2) / s2, 2 * plane, 3 * plane);
  }
  // Tensor channel 0 reads source channel c0 (2 for BGR), channel 2 reads c2.
  const bgr = spec.channelOrder === 'bgr';
  const c0 = bgr ? 2 : 0;
  const c2 = bgr ? 0 : 2;

  // Horizontal sample positions and weights, computed once per column.
  const fx = srcWidth / w;
  const fy = srcHeight / h;
  const xa = new Int32Array(w);
  const xb = new Int32Array(w);
  const xw = new Float32Array(w);
  for (let x = 0; x < w; x += 1) {
    const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), srcWidth - 1);
    const x0 = Math.floor(sx);
    xa[x] = x0 * 3;
    xb[x] = Math.min(x0 + 1, srcWidth - 1) * 3;
    xw[x] = sx - x0;
  }
  const rowStride = srcWidth * 3;
  for (let y = 0; y < h; y += 1) {
    const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), srcHeight - 1);
    const y0 = Math.floor(sy);
    const wy = sy - y0;
    const r0 = y0 * rowStride;
    const r1 = Math.min(y0 + 1, srcHeight - 1) * rowStride;
    let dst = (y + padY) * spec.width + padX;
    for (let x = 0; x < w; x += 1, dst += 1) {
      const a = xa[x];
      const b = xb[x];
      const wx = xw[x];
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      const p00 = r0 + a;
      const p01 = r0 + b;
      const p10 = r1 + a;
      const p11 = r1 + b;
      const v0 =
        data[p00 + c0] * w00 + data[p01 + c0] * w01 + data[p10 + c0] * w10 + data[p11 + c0] * w11;
      const v1 =
        data[p00 + 1] * w00 + data[p01 + 1] * w01 + data[p10 + 1] * w10 + data[p11 + 1] * w11;
      const v2 =
        data[p00 + c2] * w00 + data[p01 + c2] * w01 + data[p10 + c2] * w10 + data[p11 + c2] * w11;
      tensor[dst] = (v0 - m0) / s0;
      tensor[plane + dst] = (v1 - m1) / s1;
      tensor[2 * plane + dst] = (v2 - m2) / s2;
    }
  }
  return {
    tensor,
    transform: { srcWidth, srcHeight, scaleX: w / srcWidth, scaleY: h / srcHeight, padX, padY },
  };
}
