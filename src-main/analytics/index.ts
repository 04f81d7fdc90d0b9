/** Analytics: trends, risk history, uptime, distribution, heatmap, alerts, false positives, storage. */
export { analyticsRepository } from './analytics-repository';
export type { AnalyticsRepository } from './analytics-repository';
export { AnalyticsService } from './analytics-service';
export { analyticsHandlers } from './handlers';
