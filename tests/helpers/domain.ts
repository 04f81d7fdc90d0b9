import type { SecurityEvent } from '../../src-shared/domain';

/** A plain scored event (a person, medium risk, unreviewed) for tests that need the shape only. */
export function securityEvent(over: Partial<SecurityEvent> = {}): SecurityEvent {
  const startedAt = over.startedAt ?? '2026-11-27T23:30:00.000Z';
  return {
    id: 'e1',
    batchId: null,
    cameraId: 'porch',
    cameraName: 'Porch',
    startedAt,
    endedAt: startedAt,
    riskScore: 40,
    rawRiskScore: 40,
    riskLevel: 'medium',
    summary: 'A person',
    reasoning: '',
    scorer: 'rules',
    model: null,
    promptVersionId: null,
    analysis: null,
    latencyMs: 1,
    objectClasses: ['person'],
    detectionCount: 1,
    isFastPath: false,
    reviewed: false,
    falsePositive: false,
    notes: '',
    thumbnailImageId: null,
    correlationId: null,
    createdAt: startedAt,
    updatedAt: startedAt,
    version: 0,
    ...over,
  };
}
