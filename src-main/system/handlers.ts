import type { BackupInfo } from '../../src-shared/domain';
import type { HandlersFor } from '../common/handlers';
import type { HealthProbe } from './health';
import { systemHealth } from './health';
import type { SettingsService } from './settings-service';
import { redactSettings } from './settings-service';

export function systemHandlers(d: {
  settings: SettingsService;
  probes: HealthProbe[];
  backup: () => Promise<BackupInfo>;
}): HandlersFor<
  'system.health' | 'system.settings.get' | 'system.settings.update' | 'system.backup'
> {
  return {
    'system.backup': () => d.backup(),
    'system.health': () => systemHealth(d.probes),
    'system.settings.get': () => redactSettings(d.settings.get()),
    'system.settings.update': async (patch) => redactSettings(await d.settings.update(patch)),
  };
}
