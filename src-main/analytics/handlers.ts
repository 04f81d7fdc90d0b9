import type { HandlersFor } from '../common/handlers';
import type { AnalyticsService } from './analytics-service';

export function analyticsHandlers(
  analytics: AnalyticsService,
): HandlersFor<
  | 'analytics.detectionTrends'
  | 'analytics.riskHistory'
  | 'analytics.cameraUptime'
  | 'analytics.objectDistribution'
  | 'analytics.heatmap'
  | 'analytics.alertsByRule'
  | 'analytics.falsePositiveRate'
  | 'system.storage'
> {
  return {
    'analytics.detectionTrends': (r) => analytics.detectionTrends(r),
    'analytics.riskHistory': (r) => analytics.riskHistory(r),
    'analytics.cameraUptime': (r) => analytics.cameraUptime(r),
    'analytics.objectDistribution': (r) => analytics.objectDistribution(r),
    'analytics.heatmap': (r) => analytics.heatmap(r),
    'analytics.alertsByRule': (r) => analytics.alertsByRule(r),
    'analytics.falsePositiveRate': (r) => analytics.falsePositiveRate(r),
    'system.storage': () => analytics.storage(),
  };
}
