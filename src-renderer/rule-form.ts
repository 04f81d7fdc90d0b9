/**
 * The rules editor's form model: every condition as the inputs hold it (text for numbers, so
 * a half-typed value is kept), the rule it describes, and the field keys server issues are
 * matched on (`['schedule','start']` → `schedule.start`).
 */
import type { ChannelInput } from '../src-shared/contract';
import { alertRuleCreateSchema } from '../src-shared/contract';
import type { AlertRule, RiskLevel } from '../src-shared/domain';
import type { FieldErrors, FormErrors } from './form-errors';
import { formErrorsFromIssues } from './form-errors';
import { parseList } from './settings-form';

export type RuleInput = ChannelInput<'alertRules.create'>;

export interface RuleForm {
  name: string;
  severity: RiskLevel;
  enabled: boolean;
  minRiskScore: string;
  riskLevels: RiskLevel[];
  objectClasses: string;
  cameraIds: string[];
  zoneIds: string[];
  minConfidence: string;
  scheduleOn: boolean;
  days: number[];
  start: string;
  end: string;
  timezone: string;
  cooldownSeconds: string;
  dedupKeyTemplate: string;
  channelIds: string[];
}

export const DEFAULT_COOLDOWN_SECONDS = 300;
export const DEFAULT_DEDUP_KEY = '{cameraId}:{ruleId}';
export const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6] as const;
export const DAY_LABELS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** Issue path → field key; the more specific keys first (the first prefix match wins). */
export const RULE_FIELD_KEYS = [
  'name',
  'severity',
  'enabled',
  'minRiskScore',
  'riskLevels',
  'objectClasses',
  'cameraIds',
  'zoneIds',
  'minConfidence',
  'schedule.days',
  'schedule.start',
  'schedule.end',
  'schedule.timezone',
  'schedule',
  'cooldownSeconds',
  'dedupKeyTemplate',
  'channelIds',
] as const;

/** The browser's time zone (e.g. "Europe/Berlin"), or UTC when it does not say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function emptyRuleForm(): RuleForm {
  return {
    name: '',
    severity: 'high',
    enabled: true,
    minRiskScore: '',
    riskLevels: [],
    objectClasses: '',
    cameraIds: [],
    zoneIds: [],
    minConfidence: '',
    scheduleOn: false,
    days: [...ALL_DAYS],
    start: '22:00',
    end: '06:00',
    timezone: browserTimeZone(),
    cooldownSeconds: String(DEFAULT_COOLDOWN_SECONDS),
    dedupKeyTemplate: DEFAULT_DEDUP_KEY,
    channelIds: [],
  };
}

export function ruleFormFrom(rule: AlertRule): RuleForm {
  const empty = emptyRuleForm();
  return {
    name: rule.name,
    severity: rule.severity,
    enabled: rule.enabled,
    minRiskScore: rule.minRiskScore === null ? '' : String(rule.minRiskScore),
    riskLevels: rule.riskLevels ?? [],
    objectClasses: (rule.objectClasses ?? []).join(', '),
    cameraIds: rule.cameraIds ?? [],
    zoneIds: rule.zoneIds ?? [],
    minConfidence: rule.minConfidence === null ? '' : String(rule.minConfidence),
    scheduleOn: rule.schedule !== null,
    days: rule.schedule?.days ?? empty.days,
    start: rule.schedule?.start ?? empty.start,
    end: rule.schedule?.end ?? empty.end,
    timezone: rule.schedule ? (rule.schedule.timezone ?? '') : empty.timezone,
    cooldownSeconds: String(rule.cooldownSeconds),
    dedupKeyTemplate: rule.dedupKeyTemplate,
    channelIds: rule.channelIds,
  };
}

/** Empty → null ("any"); otherwise the number, or an error for the field. */
function optionalNumber(text: string, key: string, errors: FieldErrors): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  if (!Number.isFinite(n)) {
    errors[key] = ['Enter a number, or leave it empty for any'];
    return null;
  }
  return n;
}

/**
 * The rule the form describes (empty conditions are null: "any"), checked with the shared
 * schema so the preview and the save show the same messages under the same fields.
 */
export function ruleInputFrom(form: RuleForm): { input: RuleInput } | { errors: FormErrors } {
  const errors: FieldErrors = {};
  const classes = parseList(form.objectClasses);
  const cooldownText = form.cooldownSeconds.trim();
  const cooldown = cooldownText === '' ? DEFAULT_COOLDOWN_SECONDS : Number(cooldownText);
  if (!Number.isFinite(cooldown)) errors.cooldownSeconds = ['Enter a number of seconds'];
  const input: RuleInput = {
    name: form.name,
    severity: form.severity,
    enabled: form.enabled,
    minRiskScore: optionalNumber(form.minRiskScore, 'minRiskScore', errors),
    riskLevels: form.riskLevels.length > 0 ? form.riskLevels : null,
    objectClasses: classes.length > 0 ? classes : null,
    cameraIds: form.cameraIds.length > 0 ? form.cameraIds : null,
    zoneIds: form.zoneIds.length > 0 ? form.zoneIds : null,
    minConfidence: optionalNumber(form.minConfidence, 'minConfidence', errors),
    schedule: form.scheduleOn
      ? {
          days: [...form.days].sort((a, b) => a - b),
          start: form.start,
          end: form.end,
          ...(form.timezone.trim() ? { timezone: form.timezone.trim() } : {}),
        }
      : null,
    cooldownSeconds: cooldown,
    dedupKeyTemplate: form.dedupKeyTemplate.trim() || DEFAULT_DEDUP_KEY,
    channelIds: form.channelIds,
  };
  const checked = alertRuleCreateSchema.safeParse(input);
  if (!checked.success) {
    const fromSchema = formErrorsFromIssues(checked.error.issues, RULE_FIELD_KEYS);
    for (const [key, messages] of Object.entries(fromSchema.fields)) {
      if (messages) (errors[key] ??= []).push(...messages);
    }
    return { errors: { fields: errors, form: fromSchema.form } };
  }
  return Object.keys(errors).length > 0 ? { errors: { fields: errors, form: null } } : { input };
}
