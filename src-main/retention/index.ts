/** Retention: deleting what is older than the user keeps, as a job (daily, or a dry run). */
export { RetentionService, RETENTION_JOB } from './retention-service';
export { retentionHandlers } from './handlers';
