import type { HandlersFor } from '../common/handlers';
import type { RecalibrationService } from './recalibration-service';

export function recalibrationHandlers(
  recalibration: RecalibrationService,
): HandlersFor<'calibration.preview' | 'calibration.suggest' | 'calibration.reevaluate'> {
  return {
    'calibration.preview': (input) => recalibration.preview(input),
    'calibration.suggest': (input) => recalibration.suggest(input),
    'calibration.reevaluate': (input) => recalibration.reevaluate(input),
  };
}
