/** Aggregation: per-camera batches of detections, closed into one event each. */
export { BatchAggregator } from './batch-aggregator';
export { batchRepository } from './batch-repository';
export type { BatchRepository } from './batch-repository';
