/** The notification preferences form: its values, the schema that makes the update, its keys. */
import { z } from 'zod';
import type { ChannelInput } from '../src-shared/contract';
import { preferencesUpdateSchema } from '../src-shared/contract';
import type { NotificationPreferences, RiskLevel } from '../src-shared/domain';
import { RISK_LEVELS } from '../src-shared/domain';
import { ALL_DAYS, browserTimeZone, timeWindowForm, timeWindowFrom } from './rule-form';

export type PreferencesPatch = ChannelInput<'notify.preferences.update'>;

const preferencesForm = z.object({
  mutedCameraIds: z.array(z.string()),
  quietHours: timeWindowForm.extend({ on: z.boolean() }),
  maxPerHour: z.string(),
  /** Per channel id: a minimum severity, or '' for any. */
  channelMinSeverity: z.record(z.string(), z.union([z.enum(RISK_LEVELS), z.literal('')])),
});

export type PreferencesForm = z.input<typeof preferencesForm>;

/** Issue path → field key; channel keys are `channelMinSeverity.<id>`. */
export function preferencesFieldKeys(channelIds: readonly string[]): string[] {
  return [
    'mutedCameraIds',
    'quietHours.days',
    'quietHours.start',
    'quietHours.end',
    'quietHours.timezone',
    'quietHours.on',
    'maxPerHour',
    ...channelIds.map((id) => `channelMinSeverity.${id}`),
    'channelMinSeverity',
  ];
}

export function preferencesFormFrom(p: NotificationPreferences): PreferencesForm {
  return {
    mutedCameraIds: p.mutedCameraIds,
    quietHours: {
      on: p.quietHours !== null,
      days: p.quietHours?.days ?? [...ALL_DAYS],
      start: p.quietHours?.start ?? '22:00',
      end: p.quietHours?.end ?? '07:00',
      timezone: p.quietHours ? (p.quietHours.timezone ?? '') : browserTimeZone(),
    },
    maxPerHour: p.maxPerHour === null ? '' : String(p.maxPerHour),
    channelMinSeverity: { ...p.channelMinSeverity },
  };
}

/** The whole preferences as an update (empty maximum: unlimited; quiet hours off: null). */
export const preferencesFormSchema = preferencesForm
  .transform((f, ctx): PreferencesPatch => {
    let maxPerHour: number | null = null;
    if (f.maxPerHour.trim() !== '') {
      const n = Number(f.maxPerHour);
      if (!Number.isInteger(n)) {
        ctx.addIssue({
          code: 'custom',
          path: ['maxPerHour'],
          message: 'Enter a whole number, or leave it empty',
        });
      } else maxPerHour = n;
    }
    const channelMinSeverity: Record<string, RiskLevel> = {};
    for (const [id, level] of Object.entries(f.channelMinSeverity)) {
      if (level) channelMinSeverity[id] = level;
    }
    return {
      mutedCameraIds: f.mutedCameraIds,
      quietHours: f.quietHours.on ? timeWindowFrom(f.quietHours) : null,
      maxPerHour,
      channelMinSeverity,
    };
  })
  .pipe(preferencesUpdateSchema);
