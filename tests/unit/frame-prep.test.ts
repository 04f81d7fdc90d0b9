import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  ImageDecodeError,
  ImageReadError,
  decodeRgb,
  jpegShrink,
  jpegSize,
  layoutTensor,
  prepareFrame,
} from '../../src-main/detect/image-tensor.mjs';
import { yolox } from '../../src-main/detect/families';
import { jpeg, png } from '../helpers/images';
import { tempDir } from '../helpers/temp-app';

const spec = yolox.preprocess(416, 416);

describe('JPEG header and decode scale', () => {
  it('reads width and height from baseline, progressive, EXIF-carrying and grey JPEGs', async () => {
    const base = sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#345' } });
    const variants = [
      await base.clone().jpeg().toBuffer(),
      await base.clone().jpeg({ progressive: true }).toBuffer(),
      await base
        .clone()
        .withExif({ IFD0: { Make: 'Cam', Model: 'X1' } })
        .jpeg()
        .toBuffer(),
      await base.clone().greyscale().jpeg().toBuffer(),
      await jpeg(333, 77),
    ];
    for (const bytes of variants) {
      const meta = await sharp(bytes).metadata();
      expect(jpegSize(bytes)).toEqual({ width: meta.width, height: meta.height });
    }
  });

  it('gives no size for anything that is not a readable JPEG header', async () => {
    expect(jpegSize(await png(64, 64))).toBeUndefined();
    expect(jpegSize(Buffer.from('not an image at all'))).toBeUndefined();
    expect(jpegSize((await jpeg(640, 480)).subarray(0, 12))).toBeUndefined();
    expect(jpegSize(new Uint8Array(0))).toBeUndefined();
  });

  it('decodes at the smallest JPEG scale that still covers the model input', () => {
    expect(jpegShrink(768, 576, spec)).toBe(1); // 416×312 needed: 384 at 1/2 is too few
    expect(jpegShrink(1280, 720, spec)).toBe(2);
    expect(jpegShrink(1920, 1080, spec)).toBe(4);
    expect(jpegShrink(2560, 1440, spec)).toBe(4);
    expect(jpegShrink(3840, 2160, spec)).toBe(8);
    expect(jpegShrink(1080, 1920, spec)).toBe(4); // portrait
    expect(jpegShrink(1920, 1080, yolox.preprocess(640, 640))).toBe(2);
    // Stretch placement needs the full input size both ways: 416 rows of a 1080-row frame.
    expect(jpegShrink(1920, 1080, { ...spec, placement: 'stretch' })).toBe(2);
  });
});

describe('prepareFrame', () => {
  it('decodes a camera frame scaled, hashes the file and maps boxes to full resolution', async () => {
    const dir = tempDir('hsi-frame-');
    const file = path.join(dir, 'frame.jpg');
    // A white block at a known place in a 1920×1080 frame.
    await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#000' } })
      .composite([
        {
          input: { create: { width: 400, height: 200, channels: 3, background: '#fff' } },
          left: 800,
          top: 400,
        },
      ])
      .jpeg({ quality: 90 })
      .toFile(file);
    const bytes = fs.readFileSync(file);
    const frame = await prepareFrame({ path: file }, spec);
    expect(frame.shrink).toBe(4);
    expect(frame.sha256).toMatch(/^[0-9a-f]{64}$/);
    const fromBytes = await prepareFrame({ bytes }, spec);
    expect(fromBytes.shrink).toBe(1); // bytes decode at full size
    expect(fromBytes.sha256).toBe(frame.sha256);
    expect(frame.transform).toMatchObject({ srcWidth: 1920, srcHeight: 1080, padX: 0, padY: 0 });
    expect(frame.transform.scaleX).toBeCloseTo(416 / 1920, 6);
    expect(frame.transform.scaleY).toBeCloseTo(234 / 1080, 6);
    expect(fromBytes.transform).toEqual(frame.transform);

    // The block lands on the same tensor pixels either way (B plane, values 0..255).
    const edgeOf = (t: Float32Array) => {
      const row = Math.round((500 * 234) / 1080); // middle of the block
      const values = Array.from({ length: 416 }, (_, x) => t[2 * 416 * 416 + row * 416 + x]!);
      return [values.findIndex((v) => v > 128), values.findLastIndex((v) => v > 128)];
    };
    const [scaled, full] = [edgeOf(frame.tensor), edgeOf(fromBytes.tensor)];
    expect(Math.abs(scaled[0]! - full[0]!)).toBeLessThanOrEqual(1);
    expect(Math.abs(scaled[1]! - full[1]!)).toBeLessThanOrEqual(1);
    expect(scaled[0]! / frame.transform.scaleX).toBeCloseTo(800, -1); // within ~5 px of 800
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lays out small photos exactly as before: full decode, the same tensor', async () => {
    const bytes = await jpeg(640, 480, 3);
    const dir = tempDir('hsi-frame-');
    const file = path.join(dir, 'small.jpg');
    fs.writeFileSync(file, bytes);
    const frame = await prepareFrame({ path: file }, spec);
    expect(frame.shrink).toBe(1);
    const direct = layoutTensor(await decodeRgb(bytes), spec);
    expect(frame.tensor).toEqual(direct.tensor);
    expect(frame.transform).toEqual(direct.transform);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells a missing file from an image that does not decode', async () => {
    const dir = tempDir('hsi-frame-');
    await expect(prepareFrame({ path: path.join(dir, 'gone.jpg') }, spec)).rejects.toMatchObject({
      name: 'ImageReadError',
      code: 'ENOENT',
    });
    const cut = path.join(dir, 'cut.jpg');
    fs.writeFileSync(cut, (await jpeg(1920, 1080)).subarray(0, 5000));
    const err = await prepareFrame({ path: cut }, spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err).not.toBeInstanceOf(ImageReadError);
    // A header claiming more pixels than the limit is refused before any decode.
    const huge = Buffer.from(await jpeg(64, 64));
    const sof = huge.findIndex((b, i) => b === 0xff && huge[i + 1] === 0xc0);
    huge.writeUInt16BE(20000, sof + 5);
    huge.writeUInt16BE(20000, sof + 7);
    await expect(prepareFrame({ bytes: huge }, spec)).rejects.toThrow(/more than \d+ pixels/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
