import type { HandlersFor } from '../common/handlers';
import type { TelemetryService } from './telemetry-service';

export function telemetryHandlers(
  telemetry: TelemetryService,
): HandlersFor<'gpu.stats' | 'system.telemetry'> {
  return {
    'gpu.stats': (input) => telemetry.stats(input),
    'system.telemetry': ({ window }) => telemetry.pipeline(window),
  };
}
