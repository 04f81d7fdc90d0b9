import type { HandlersFor } from '../common/handlers';
import type { JobService } from './job-service';

export function jobHandlers(
  jobs: JobService,
): HandlersFor<'jobs.get' | 'jobs.list' | 'jobs.cancel'> {
  return {
    'jobs.get': ({ id }) => jobs.get(id),
    'jobs.list': (f) => jobs.list(f),
    'jobs.cancel': ({ id }) => jobs.cancel(id),
  };
}
