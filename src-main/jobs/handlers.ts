import { AppError } from '../../src-shared/errors';
import type { HandlersFor } from '../common/handlers';
import type { JobService } from './job-service';

export function jobHandlers(
  jobs: JobService,
): HandlersFor<
  | 'jobs.get'
  | 'jobs.list'
  | 'jobs.cancel'
  | 'jobs.history'
  | 'jobs.deadLetters.list'
  | 'jobs.deadLetters.requeue'
  | 'jobs.deadLetters.requeueAll'
  | 'jobs.deadLetters.purge'
> {
  return {
    'jobs.get': ({ id }) => jobs.get(id),
    'jobs.list': (f) => jobs.list(f),
    'jobs.cancel': ({ id }) => jobs.cancel(id),
    'jobs.history': ({ id }) => jobs.history(id),
    'jobs.deadLetters.list': (f) => jobs.deadLetters(f),
    'jobs.deadLetters.requeue': (scope) => {
      if (scope.id === undefined) {
        throw new AppError('invalid_input', 'Name the dead letter to requeue (id)', [
          { path: ['id'], message: 'Required' },
        ]);
      }
      return jobs.requeue(scope);
    },
    'jobs.deadLetters.requeueAll': (scope) => jobs.requeue({ jobId: scope.jobId }),
    'jobs.deadLetters.purge': (scope) => jobs.purge(scope),
  };
}
