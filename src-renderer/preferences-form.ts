/** The notification preferences form: its values, the update it makes, its field keys. */
import type { ChannelInput } from '../src-shared/contract';
import type { NotificationPreferences, RiskLevel } from '../src-shared/domain';
import type { FieldErrors } from './form-errors';
import { ALL_DAYS, browserTimeZone } from './rule-form';

export type PreferencesPatch = ChannelInput<'notify.preferences.update'>;

export interface PreferencesForm {
  mutedCameraIds: string[];
  quietOn: boolean;
  days: number[];
  start: string;
  end: string;
  timezone: string;
  maxPerHour: string;
  /** Per channel id: a minimum severity, or '' for any. */
  channelMinSeverity: Record<string, RiskLevel | ''>;
}

/** Issue path → field key; channel keys are `channelMinSeverity.<id>`. */
export function preferencesFieldKeys(channelIds: readonly string[]): string[] {
  return [
    'mutedCameraIds',
    'quietHours.days',
    'quietHours.start',
    'quietHours.end',
    'quietHours.timezone',
    'quietHours',
    'maxPerHour',
    ...channelIds.map((id) => `channelMinSeverity.${id}`),
    'channelMinSeverity',
  ];
}

export function preferencesFormFrom(p: NotificationPreferences): PreferencesForm {
  return {
    mutedCameraIds: p.mutedCameraIds,
    quietOn: p.quietHours !== null,
    days: p.quietHours?.days ?? [...ALL_DAYS],
    start: p.quietHours?.start ?? '22:00',
    end: p.quietHours?.end ?? '07:00',
    timezone: p.quietHours ? (p.quietHours.timezone ?? '') : browserTimeZone(),
    maxPerHour: p.maxPerHour === null ? '' : String(p.maxPerHour),
    channelMinSeverity: { ...p.channelMinSeverity },
  };
}

/** The whole preferences as an update (empty maximum: unlimited; quiet hours off: null). */
export function preferencesPatchFrom(
  form: PreferencesForm,
): { patch: PreferencesPatch } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  let maxPerHour: number | null = null;
  if (form.maxPerHour.trim() !== '') {
    const n = Number(form.maxPerHour);
    if (!Number.isInteger(n)) errors.maxPerHour = ['Enter a whole number, or leave it empty'];
    else maxPerHour = n;
  }
  const channelMinSeverity: Record<string, RiskLevel> = {};
  for (const [id, level] of Object.entries(form.channelMinSeverity)) {
    if (level) channelMinSeverity[id] = level;
  }
  const patch: PreferencesPatch = {
    mutedCameraIds: form.mutedCameraIds,
    quietHours: form.quietOn
      ? {
          start: form.start,
          end: form.end,
          days: [...form.days].sort((a, b) => a - b),
          ...(form.timezone.trim() ? { timezone: form.timezone.trim() } : {}),
        }
      : null,
    maxPerHour,
    channelMinSeverity,
  };
  return Object.keys(errors).length > 0 ? { errors } : { patch };
}
