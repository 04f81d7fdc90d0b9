/** Cameras: the camera list, their folders, FTP logins and online status. */
export { cameraRepository } from './camera-repository';
export type { CameraRepository } from './camera-repository';
export { CameraService } from './camera-service';
export { CameraStatusMonitor } from './camera-status-monitor';
export { verifyPassword } from './ftp-password';
export { cameraHandlers } from './handlers';
