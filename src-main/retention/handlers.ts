import type { HandlersFor } from '../common/handlers';
import type { RetentionService } from './retention-service';

export function retentionHandlers(
  retention: RetentionService,
): HandlersFor<'retention.preview' | 'retention.run'> {
  return {
    'retention.preview': () => retention.preview(),
    'retention.run': (input) => retention.run(input),
  };
}
