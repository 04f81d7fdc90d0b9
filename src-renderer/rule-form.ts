/**
 * The rules editor's form: every condition as the inputs hold it (text for numbers, so a
 * half-typed value is kept), named like the rule's own fields, and the schema that turns it
 * into the rule — the contract's `alertRuleCreateSchema`, so the preview and the save show the
 * same messages under the same fields as the server would.
 */
import { z } from 'zod';
import type { ChannelInput } from '../src-shared/contract';
import { alertRuleCreateSchema } from '../src-shared/contract';
import type { AlertRule } from '../src-shared/domain';
import { RISK_LEVELS } from '../src-shared/domain';
import { parseList } from './settings-form';

export type RuleInput = ChannelInput<'alertRules.create'>;

export const DEFAULT_COOLDOWN_SECONDS = 300;
export const DEFAULT_DEDUP_KEY = '{cameraId}:{ruleId}';
export const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6] as const;
export const DAY_LABELS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** Days, a start and end (HH:MM) and the time zone they are read in, as the inputs hold them. */
export const timeWindowForm = z.object({
  days: z.array(z.number()),
  start: z.string(),
  end: z.string(),
  timezone: z.string(),
});

const ruleForm = z.object({
  name: z.string(),
  severity: z.enum(RISK_LEVELS),
  enabled: z.boolean(),
  minRiskScore: z.string(),
  riskLevels: z.array(z.enum(RISK_LEVELS)),
  objectClasses: z.string(),
  cameraIds: z.array(z.string()),
  zoneIds: z.array(z.string()),
  minConfidence: z.string(),
  schedule: timeWindowForm.extend({ on: z.boolean() }),
  cooldownSeconds: z.string(),
  dedupKeyTemplate: z.string(),
  channelIds: z.array(z.string()),
});

export type RuleFormValues = z.input<typeof ruleForm>;

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
  'schedule.on',
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

export function emptyRuleForm(): RuleFormValues {
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
    schedule: {
      on: false,
      days: [...ALL_DAYS],
      start: '22:00',
      end: '06:00',
      timezone: browserTimeZone(),
    },
    cooldownSeconds: String(DEFAULT_COOLDOWN_SECONDS),
    dedupKeyTemplate: DEFAULT_DEDUP_KEY,
    channelIds: [],
  };
}

export function ruleFormFrom(rule: AlertRule): RuleFormValues {
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
    schedule: {
      on: rule.schedule !== null,
      days: rule.schedule?.days ?? empty.schedule.days,
      start: rule.schedule?.start ?? empty.schedule.start,
      end: rule.schedule?.end ?? empty.schedule.end,
      timezone: rule.schedule ? (rule.schedule.timezone ?? '') : empty.schedule.timezone,
    },
    cooldownSeconds: String(rule.cooldownSeconds),
    dedupKeyTemplate: rule.dedupKeyTemplate,
    channelIds: rule.channelIds,
  };
}

/** A form's text as a number: empty → `empty`, not a number → an issue at `path`. */
export function numberFrom(
  text: string,
  path: PropertyKey[],
  ctx: z.RefinementCtx,
  message: string,
  empty: number | null = null,
): number | null {
  if (text.trim() === '') return empty;
  const n = Number(text);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', path, message });
    return null;
  }
  return n;
}

/** A time window as the API takes it (days sorted, an empty time zone left out). */
export function timeWindowFrom(w: z.output<typeof timeWindowForm>) {
  return {
    days: [...w.days].sort((a, b) => a - b),
    start: w.start,
    end: w.end,
    ...(w.timezone.trim() ? { timezone: w.timezone.trim() } : {}),
  };
}

/** The form → the rule (empty conditions are null: "any"), checked by the contract's schema. */
export const ruleFormSchema = ruleForm
  .transform((f, ctx): RuleInput => {
    const classes = parseList(f.objectClasses);
    const any = 'Enter a number, or leave it empty for any';
    return {
      name: f.name,
      severity: f.severity,
      enabled: f.enabled,
      minRiskScore: numberFrom(f.minRiskScore, ['minRiskScore'], ctx, any),
      riskLevels: f.riskLevels.length > 0 ? f.riskLevels : null,
      objectClasses: classes.length > 0 ? classes : null,
      cameraIds: f.cameraIds.length > 0 ? f.cameraIds : null,
      zoneIds: f.zoneIds.length > 0 ? f.zoneIds : null,
      minConfidence: numberFrom(f.minConfidence, ['minConfidence'], ctx, any),
      schedule: f.schedule.on ? timeWindowFrom(f.schedule) : null,
      cooldownSeconds:
        numberFrom(
          f.cooldownSeconds,
          ['cooldownSeconds'],
          ctx,
          'Enter a number of seconds',
          DEFAULT_COOLDOWN_SECONDS,
        ) ?? DEFAULT_COOLDOWN_SECONDS,
      dedupKeyTemplate: f.dedupKeyTemplate.trim() || DEFAULT_DEDUP_KEY,
      channelIds: f.channelIds,
    };
  })
  .pipe(alertRuleCreateSchema);
