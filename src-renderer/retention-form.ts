/**
 * The Operations page's retention form: how long each kind of data is kept and when the daily
 * run happens, as the inputs hold them (text for numbers), and the schema that makes the patch
 * of what changed — checked by the contract's settings patch schema, like the Settings page.
 */
import { z } from 'zod';
import type { Settings, SettingsPatch } from '../src-shared/settings';
import { settingsPatchSchema } from '../src-shared/settings';
import { typedNumber } from './forms/numbers';

/** The retention settings kept in days (besides `retentionDays`). */
const DAY_KEYS = ['logsDays', 'rumDays', 'jobsDays', 'recordingsDays'] as const;

const retentionForm = z.object({
  retentionDays: z.string(),
  retention: z.object({
    daily: z.boolean(),
    hour: z.string(),
    logsDays: z.string(),
    rumDays: z.string(),
    jobsDays: z.string(),
    recordingsDays: z.string(),
  }),
});

export type RetentionForm = z.input<typeof retentionForm>;

/** Every field's settings path (server issues are shown under the field with that path). */
export const RETENTION_FIELD_KEYS = [
  'retentionDays',
  'retention.daily',
  'retention.hour',
  ...DAY_KEYS.map((k) => `retention.${k}`),
] as const;

export function retentionFormFrom(s: Settings): RetentionForm {
  const r = s.retention;
  return {
    retentionDays: String(s.retentionDays),
    retention: {
      daily: r.daily,
      hour: String(r.hour),
      logsDays: String(r.logsDays),
      rumDays: String(r.rumDays),
      jobsDays: String(r.jobsDays),
      recordingsDays: String(r.recordingsDays),
    },
  };
}

/** The form → the patch of what differs from `saved` (numbers parsed). */
export function retentionFormSchema(saved: Settings) {
  const before = retentionFormFrom(saved);
  return retentionForm
    .transform((form, ctx): SettingsPatch => {
      const patch: SettingsPatch = {};
      if (form.retentionDays !== before.retentionDays) {
        patch.retentionDays = typedNumber(form.retentionDays, ['retentionDays'], ctx);
      }
      const retention: NonNullable<SettingsPatch['retention']> = {};
      if (form.retention.daily !== before.retention.daily) retention.daily = form.retention.daily;
      for (const key of ['hour', ...DAY_KEYS] as const) {
        if (form.retention[key] === before.retention[key]) continue;
        retention[key] = typedNumber(form.retention[key], ['retention', key], ctx);
      }
      if (Object.keys(retention).length > 0) patch.retention = retention;
      return patch;
    })
    .pipe(settingsPatchSchema as z.ZodType<SettingsPatch, SettingsPatch>);
}

/** "3" → "03:00", the daily run's hour as a choice. */
export const HOUR_OPTIONS = Array.from({ length: 24 }, (_, h) => ({
  value: String(h),
  label: `${String(h).padStart(2, '0')}:00`,
}));
