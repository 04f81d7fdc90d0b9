/** Risk: the scorers that turn a closed batch into a score, a level and the words behind it. */
export { RulesScorer, rulesComponents } from './rules-scorer';
export { LlmScorer } from './llm-scorer';
export { CircuitBreaker } from './circuit-breaker';
export type { BreakerSnapshot, BreakerState } from './circuit-breaker';
export type { BatchContext, RiskAssessment, ScoredDetection } from './risk-scorer';
