/** How a family wants its input tensor built. */
export interface PreprocessSpec {
  width: number;
  height: number;
  channelOrder: 'rgb' | 'bgr';
  /** top-left / center: aspect-preserving letterbox; stretch: resize to fill. */
  placement: 'top-left' | 'center' | 'stretch';
  /** Canvas colour around a letterboxed image, in 0..255 pixel units. */
  padValue: number;
  /** Applied per channel (in the tensor's channel order) to 0..255 values: (v - mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
}

/** Maps input-tensor pixels back to the source image. */
export interface InputTransform {
  srcWidth: number;
  srcHeight: number;
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}

export interface Preprocessed {
  tensor: Float32Array;
  transform: InputTransform;
}

export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** What a frame is read from: a file (decoded at a JPEG DCT scale) or bytes (full size). */
export type FrameSource =
  { path: string; bytes?: undefined } | { bytes: Uint8Array; path?: undefined };

/** A snapshot made ready for the model, off the main thread. */
export interface PreparedFrame {
  sha256: string;
  tensor: Float32Array;
  /** From input-tensor pixels to full-resolution image pixels. */
  transform: InputTransform;
  /** The JPEG scale it was decoded at (1, 2, 4 or 8). */
  shrink: number;
  timings: { readMs: number; decodeMs: number; preprocessMs: number };
}

export declare const MAX_PIXELS: number;

export declare class ImageDecodeError extends Error {
  constructor(message: string);
}

export declare class ImageReadError extends Error {
  constructor(message: string, code?: string);
  code: string | undefined;
}

export declare function decodeRgb(input: Buffer | Uint8Array | string): Promise<DecodedImage>;

export declare function jpegSize(bytes: Uint8Array): { width: number; height: number } | undefined;

export declare function jpegShrink(width: number, height: number, spec: PreprocessSpec): number;

export declare function prepareFrame(
  source: FrameSource,
  spec: PreprocessSpec,
): Promise<PreparedFrame>;

export declare function layoutTensor(image: DecodedImage, spec: PreprocessSpec): Preprocessed;
