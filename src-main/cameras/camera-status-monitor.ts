import type { Publish } from '../common/domain-events';
import type { Logger } from '../system/logger';
import type { SettingsService } from '../system/settings-service';
import type { CameraRepository } from './camera-repository';

/**
 * Marks cameras offline when they have not uploaded for `cameras.offlineAfterSeconds`
 * (they come back online with their next upload) and publishes `camera.changed`.
 */
export class CameraStatusMonitor {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly d: {
      cameras: CameraRepository;
      settings: SettingsService;
      publish: Publish;
      logger: Logger;
    },
  ) {}

  start(): void {
    const tick = () => {
      this.check()
        .catch((err: unknown) =>
          this.d.logger.error({ err, module: 'camera-status' }, 'status check failed'),
        )
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs()).unref();
        });
    };
    this.timer = setTimeout(tick, this.intervalMs()).unref();
  }

  private intervalMs(): number {
    const after = this.d.settings.get().cameras.offlineAfterSeconds * 1000;
    return Math.min(5000, Math.max(100, after / 4));
  }

  async check(now = Date.now()): Promise<void> {
    const cutoff = new Date(
      now - this.d.settings.get().cameras.offlineAfterSeconds * 1000,
    ).toISOString();
    for (const camera of await this.d.cameras.markSilentOffline(cutoff)) {
      this.d.publish('camera.changed', camera);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
