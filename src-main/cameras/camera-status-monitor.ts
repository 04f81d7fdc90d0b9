import type { PushBus } from '../app/push';
import type { Logger } from '../system/logger';
import type { SettingsService } from '../system/settings-service';
import type { CameraRepository } from './camera-repository';

/**
 * Marks cameras offline when they have not uploaded for `cameras.offlineAfterSeconds`
 * (they come back online with their next upload) and pushes `camera.status`.
 */
export class CameraStatusMonitor {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly cameras: CameraRepository,
    private readonly settings: SettingsService,
    private readonly bus: PushBus,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const tick = () => {
      this.check()
        .catch((err: unknown) =>
          this.logger.error({ err, module: 'camera-status' }, 'status check failed'),
        )
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs()).unref();
        });
    };
    this.timer = setTimeout(tick, this.intervalMs()).unref();
  }

  private intervalMs(): number {
    const after = this.settings.get().cameras.offlineAfterSeconds * 1000;
    return Math.min(5000, Math.max(100, after / 4));
  }

  async check(now = Date.now()): Promise<void> {
    const cutoff = new Date(
      now - this.settings.get().cameras.offlineAfterSeconds * 1000,
    ).toISOString();
    for (const camera of await this.cameras.markSilentOffline(cutoff)) {
      this.bus.emit('camera.status', camera);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
