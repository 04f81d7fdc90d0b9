import type { ServiceHealth, SystemHealth } from '../../src-shared/domain';
import { appVersion } from '../common/version';
import type { SettingsService } from './settings-service';

/** A probe answers how one part (or several) of the app is doing right now. */
export type HealthProbe = () =>
  Promise<ServiceHealth | ServiceHealth[]> | ServiceHealth | ServiceHealth[];

/** Degraded while stored settings held invalid values (their defaults apply). */
export function settingsProbe(settings: SettingsService): HealthProbe {
  return () => {
    const invalid = settings.invalidSettings();
    if (!invalid.length) return { name: 'settings', status: 'running' };
    return {
      name: 'settings',
      status: 'degraded',
      detail:
        `Stored settings had invalid values; their defaults apply until you save settings: ` +
        invalid.map((i) => `${i.key} (${i.message})`).join('; '),
    };
  };
}

export async function systemHealth(probes: HealthProbe[]): Promise<SystemHealth> {
  const services = (await Promise.all(probes.map(async (probe) => probe()))).flat();
  const ok = services.every((s) => s.status === 'running');
  return { status: ok ? 'ok' : 'degraded', version: appVersion(), services };
}
