// Image decoding and the detector's input tensor. Plain JavaScript: the inference thread and
// the frame workers (inference-worker.mjs, frame-worker.mjs) run it, so neither the file
// read, the hash, the decode nor the resize touches the main event loop. The main thread
// takes only the error classes from it; tests and benchmarks use the rest (types in .d.mts).
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';

/** Decoded images larger than this are refused (as sharp's default limit). */
export const MAX_PIXELS = 8192 * 8192;

export class ImageDecodeError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

/** The file itself could not be read (gone, no permission): not the image's fault. */
export class ImageReadError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'ImageReadError';
    this.code = code;
  }
}

/**
 * Opens an image strictly: truncated or corrupt files throw instead of decoding garbage.
 * Camera snapshots carry sRGB profiles at most; skipping colour management halves decode time.
 */
function openImage(input) {
  return sharp(input, { failOn: 'truncated', ignoreIcc: true, limitInputPixels: MAX_PIXELS });
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
    if (/Input file is missing/.test(err?.message)) {
      throw new ImageReadError('File cannot be read: ENOENT', 'ENOENT');
    }
    throw new ImageDecodeError(`Image does not decode: ${err?.message ?? String(err)}`);
  }
}

/**
 * Width and height from a JPEG's frame header (SOFn), or undefined for anything else or a
 * header it cannot find. Reads markers only: microseconds, where asking the decoder costs a
 * call of its own.
 */
export function jpegSize(bytes) {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      const height = (bytes[i + 5] << 8) | bytes[i + 6];
      const width = (bytes[i + 7] << 8) | bytes[i + 8];
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    if (marker === 0xda || length < 2) return undefined; // scan data before any frame header
    i += 2 + length;
  }
  return undefined;
}

/** Width and height of the picture inside the model input (letterbox), or the input (stretch). */
function contentSize(width, height, spec) {
  if (spec.placement === 'stretch') return [spec.width, spec.height];
  const r = Math.min(spec.width / width, spec.height / height);
  return [
    Math.min(spec.width, Math.max(1, Math.round(width * r))),
    Math.min(spec.height, Math.max(1, Math.round(height * r))),
  ];
}

/**
 * The JPEG DCT scale to decode at: the largest N of 1, 2, 4, 8 whose 1/N image (libjpeg
 * rounds its size up) still has at least as many pixels each way as the model input uses, so
 * the bilinear resize after it only ever shrinks.
 */
export function jpegShrink(width, height, spec) {
  const [needW, needH] = contentSize(width, height, spec);
  let n = 1;
  while (n < 8 && Math.ceil(width / (2 * n)) >= needW && Math.ceil(height / (2 * n)) >= needH) {
    n *= 2;
  }
  return n;
}

/**
 * Everything the detector needs from one snapshot, off the main thread: reads the file (or
 * takes the bytes), hashes them, decodes a JPEG at the DCT scale the model needs (libjpeg
 * scales while decoding; the file itself stays full size for display), lays out the tensor,
 * and returns a transform back to full-resolution pixels.
 *
 * sharp decodes buffers at full size only; libvips honours a load option in a file name
 * (`file.jpg[shrink=4]`), which is how a file is decoded scaled. The decoded size is checked,
 * so a decoder that ignored the option still gives correct (full-size) results.
 */
export async function prepareFrame(source, spec) {
  const t0 = performance.now();
  let bytes = source.bytes;
  if (!bytes) {
    try {
      bytes = await fs.readFile(source.path);
    } catch (err) {
      throw new ImageReadError(`File cannot be read: ${err?.code ?? 'error'}`, err?.code);
    }
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const t1 = performance.now();
  const header = jpegSize(bytes);
  if (header && header.width * header.height > MAX_PIXELS) {
    throw new ImageDecodeError(
      `Image does not decode: ${header.width}×${header.height} is more than ${MAX_PIXELS} pixels`,
    );
  }
  let shrink = header && source.path ? jpegShrink(header.width, header.height, spec) : 1;
  let decoded =
    shrink > 1 ? await decodeRgb(`${source.path}[shrink=${shrink}]`) : await decodeRgb(bytes);
  if (
    shrink > 1 &&
    (decoded.width !== Math.ceil(header.width / shrink) ||
      decoded.height !== Math.ceil(header.height / shrink))
  ) {
    // Not the scaled decode asked for (a changed file, or a loader that ignored the option).
    shrink = 1;
    decoded = await decodeRgb(bytes);
  }
  const t2 = performance.now();
  const { tensor, transform } = layoutTensor(decoded, spec);
  const t3 = performance.now();
  return {
    sha256,
    tensor,
    // Boxes map back to the full-resolution image: one decoded pixel spans `shrink` of it.
    transform: {
      ...transform,
      srcWidth: shrink > 1 ? header.width : transform.srcWidth,
      srcHeight: shrink > 1 ? header.height : transform.srcHeight,
      scaleX: transform.scaleX / shrink,
      scaleY: transform.scaleY / shrink,
    },
    shrink,
    timings: { readMs: t1 - t0, decodeMs: t2 - t1, preprocessMs: t3 - t2 },
  };
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
