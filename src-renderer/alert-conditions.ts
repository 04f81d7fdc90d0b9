/** Names a person reads for the rule conditions the server reports (`matchedConditions`). */
const CONDITION_LABELS: Record<string, string> = {
  minRiskScore: 'Minimum risk score',
  riskLevels: 'Risk level',
  objectClasses: 'Object classes',
  cameraIds: 'Camera',
  zoneIds: 'Zone',
  minConfidence: 'Minimum confidence',
  schedule: 'Schedule',
};

export function conditionLabel(name: string): string {
  return CONDITION_LABELS[name] ?? name;
}

/** "Object classes, Camera", or the fallback for an empty list. */
export function conditionList(names: readonly string[], none = 'none'): string {
  return names.length > 0 ? names.map(conditionLabel).join(', ') : none;
}
