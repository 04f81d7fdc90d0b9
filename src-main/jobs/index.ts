/** Background jobs: the `jobs` table (state that survives restarts), running and cancelling. */
export { jobRepository } from './job-repository';
export type { JobRepository, JobState } from './job-repository';
export { JOB_STOPPING, JobService } from './job-service';
export { jobHandlers } from './handlers';
