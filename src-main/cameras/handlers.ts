import type { HandlersFor } from '../common/handlers';
import type { CameraService } from './camera-service';

export function cameraHandlers(
  cameras: CameraService,
): HandlersFor<
  | 'cameras.list'
  | 'cameras.get'
  | 'cameras.create'
  | 'cameras.update'
  | 'cameras.delete'
  | 'cameras.ftp.setPassword'
> {
  return {
    'cameras.list': () => cameras.list(),
    'cameras.get': ({ id }) => cameras.get(id),
    'cameras.create': (input) => cameras.create(input),
    'cameras.update': (input) => cameras.update(input),
    'cameras.delete': ({ id }) => cameras.delete(id),
    'cameras.ftp.setPassword': ({ id, password }) => cameras.setFtpPassword(id, password),
  };
}
