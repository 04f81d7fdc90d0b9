/**
 * The Calibration page's form: values as the inputs hold them (text for numbers and for
 * `name=factor` lists), and the schema that turns them into a `calibration.update`, checked
 * by the contract's own schema (thresholds 5 apart, factors 0–3, a valid night window).
 */
import { z } from 'zod';
import type { Calibration } from '../src-shared/calibration';
import type { ChannelInput } from '../src-shared/contract';
import { calibrationUpdateSchema, thresholdsSchema } from '../src-shared/contract';
import { typedNumber } from './forms/numbers';

type Update = ChannelInput<'calibration.update'>;

const thresholdsText = z.object({ medium: z.string(), high: z.string(), critical: z.string() });

const calibrationForm = z.object({
  thresholds: thresholdsText,
  classMultipliers: z.string(),
  cameraSensitivity: z.string(),
  decayFactor: z.string(),
  nightEnabled: z.boolean(),
  night: z.object({
    start: z.string(),
    end: z.string(),
    timezone: z.string(),
    thresholds: thresholdsText,
    classMultipliers: z.string(),
  }),
});

export type CalibrationForm = z.input<typeof calibrationForm>;

export const CALIBRATION_FIELD_KEYS = [
  'thresholds.medium',
  'thresholds.high',
  'thresholds.critical',
  'classMultipliers',
  'cameraSensitivity',
  'decayFactor',
  'night.start',
  'night.end',
  'night.timezone',
  'night.thresholds.medium',
  'night.thresholds.high',
  'night.thresholds.critical',
  'night.classMultipliers',
] as const;

/** `{ person: 1.5, car: 0.8 }` → "person=1.5, car=0.8". */
export function factorsText(factors: Record<string, number>): string {
  return Object.entries(factors)
    .map(([name, f]) => `${name}=${f}`)
    .join(', ');
}

const thresholdsFrom = (t: Calibration['thresholds']) => ({
  medium: String(t.medium),
  high: String(t.high),
  critical: String(t.critical),
});

export function calibrationFormFrom(c: Calibration): CalibrationForm {
  return {
    thresholds: thresholdsFrom(c.thresholds),
    classMultipliers: factorsText(c.classMultipliers),
    cameraSensitivity: factorsText(c.cameraSensitivity),
    decayFactor: String(c.decayFactor),
    nightEnabled: c.night !== null,
    night: {
      start: c.night?.start ?? '22:00',
      end: c.night?.end ?? '06:00',
      timezone: c.night?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      thresholds: thresholdsFrom(c.night?.thresholds ?? c.thresholds),
      classMultipliers: factorsText(c.night?.classMultipliers ?? {}),
    },
  };
}

/** "person=1.5, car=0.8" → { person: 1.5, car: 0.8 }; an item without `=number` is an issue. */
function factors(text: string, path: string[], ctx: z.RefinementCtx): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([^=]+?)\s*=\s*(-?[\d.]+)$/.exec(item);
    if (!match || !Number.isFinite(Number(match[2]))) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `Write name=factor, e.g. person=1.5 (not "${item}")`,
      });
      continue;
    }
    out[match[1]!] = Number(match[2]);
  }
  return out;
}

/** The form → a full `calibration.update`, checked by the contract's schema. */
export const calibrationFormSchema = calibrationForm
  .transform((f, ctx): Update => {
    const thresholds = (t: z.infer<typeof thresholdsText>, at: string[]) => ({
      medium: typedNumber(t.medium, [...at, 'medium'], ctx),
      high: typedNumber(t.high, [...at, 'high'], ctx),
      critical: typedNumber(t.critical, [...at, 'critical'], ctx),
    });
    const day = thresholds(f.thresholds, ['thresholds']);
    // The whole day set is checked here (an update may carry part of it; the form has all).
    const checked = thresholdsSchema.safeParse(day);
    for (const issue of checked.error?.issues ?? []) {
      if (issue.code === 'custom') ctx.addIssue({ ...issue, path: ['thresholds', ...issue.path] });
    }
    return {
      thresholds: day,
      classMultipliers: factors(f.classMultipliers, ['classMultipliers'], ctx),
      cameraSensitivity: factors(f.cameraSensitivity, ['cameraSensitivity'], ctx),
      decayFactor: typedNumber(f.decayFactor, ['decayFactor'], ctx),
      night: f.nightEnabled
        ? {
            start: f.night.start.trim(),
            end: f.night.end.trim(),
            ...(f.night.timezone.trim() && { timezone: f.night.timezone.trim() }),
            thresholds: thresholds(f.night.thresholds, ['night', 'thresholds']),
            classMultipliers: factors(f.night.classMultipliers, ['night', 'classMultipliers'], ctx),
          }
        : null,
    };
  })
  .pipe(calibrationUpdateSchema as z.ZodType<Update, Update>);
