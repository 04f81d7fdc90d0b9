/** Media: snapshot images (with their boxes drawn) for the UI, from inside the camera folders only. */
export { MediaService } from './media-service';
export type { MediaBody } from './media-service';
export { mediaRequest } from './media-route';
export { mediaHandlers } from './handlers';
