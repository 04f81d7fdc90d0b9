import type { HandlersFor } from '../common/handlers';
import type { CalibrationService } from './calibration-service';

export function calibrationHandlers(d: {
  calibration: CalibrationService;
}): HandlersFor<
  'calibration.get' | 'calibration.update' | 'calibration.reset' | 'calibration.defaults'
> {
  return {
    'calibration.get': () => d.calibration.get(),
    'calibration.update': (patch) => d.calibration.update(patch),
    'calibration.reset': () => d.calibration.reset(),
    'calibration.defaults': () => d.calibration.defaults(),
  };
}
