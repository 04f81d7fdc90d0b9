import type { FeedbackType, RiskLevel } from '../src-shared/domain';

export const RISK_LABELS: Record<RiskLevel, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** The class that sets `--risk` to the level's colour (styles.css), for borders and fills. */
export function riskClass(level: RiskLevel): string {
  return `risk-${level}`;
}

/** The CSS custom property holding the level's colour (for canvas charts, which cannot use classes). */
export function riskColourVar(level: RiskLevel): string {
  return `--risk-${level}`;
}

export const FEEDBACK_LABELS: Record<FeedbackType, string> = {
  correct: 'Correct',
  false_positive: 'False positive',
  missed_threat: 'Missed threat',
  severity_wrong: 'Severity wrong',
};
