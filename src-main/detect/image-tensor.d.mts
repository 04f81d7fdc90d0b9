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

export declare class ImageDecodeError extends Error {
  constructor(message: string);
}

export declare function decodeRgb(input: Buffer | Uint8Array | string): Promise<DecodedImage>;

export declare function layoutTensor(image: DecodedImage, spec: PreprocessSpec): Preprocessed;
