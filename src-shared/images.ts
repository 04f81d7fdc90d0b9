/** What counts as a snapshot image, and how large an upload may be: one rule for main and renderer. */

/** File endings the pipeline takes in (compared lower-case). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png'];

/** The most one uploaded image may weigh (browser drag and drop). */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export const NOT_AN_IMAGE_MESSAGE = 'Only .jpg, .jpeg and .png images can be imported';
export const TOO_LARGE_MESSAGE = 'Images up to 25 MB can be imported';

/** Whether a file name (or path) is an image the pipeline takes; hidden files never are. */
export function isImageName(file: string): boolean {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  if (base.startsWith('.')) return false;
  const dot = base.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.includes(base.slice(dot).toLowerCase());
}
