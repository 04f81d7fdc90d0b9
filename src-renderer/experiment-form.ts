/**
 * The Prompts page's experiment form: every version of the template as a row (taking part or
 * not, with its weight as typed), the mode and the rollback policy; the schema turns it into a
 * `prompts.experiment.set`, checked by the contract's own schema.
 */
import { z } from 'zod';
import type { ChannelInput } from '../src-shared/contract';
import { experimentSetSchema } from '../src-shared/contract';
import type { PromptExperiment, PromptVersion } from '../src-shared/prompts';
import { DEFAULT_ROLLBACK_POLICY, EXPERIMENT_MODES } from '../src-shared/prompts';
import { typedNumber } from './forms/numbers';

type SetInput = ChannelInput<'prompts.experiment.set'>;

const experimentForm = z.object({
  mode: z.enum(EXPERIMENT_MODES),
  variants: z.array(z.object({ versionId: z.string(), included: z.boolean(), weight: z.string() })),
  rollback: z.object({
    parseFailureMargin: z.string(),
    latencyMargin: z.string(),
    minRuns: z.string(),
  }),
});

export type ExperimentForm = z.input<typeof experimentForm>;

export const EXPERIMENT_FIELD_KEYS = [
  'mode',
  'variants',
  'rollback.parseFailureMargin',
  'rollback.latencyMargin',
  'rollback.minRuns',
] as const;

/** The running experiment as the form shows it, or a fresh one (the active version in it). */
export function experimentFormFrom(
  versions: readonly PromptVersion[],
  experiment: PromptExperiment | null,
): ExperimentForm {
  const policy = experiment?.rollback ?? DEFAULT_ROLLBACK_POLICY;
  return {
    mode: experiment?.mode ?? 'split',
    variants: versions.map((v) => {
      const variant = experiment?.variants.find((x) => x.versionId === v.id);
      return {
        versionId: v.id,
        included: v.active || variant !== undefined,
        weight: String(variant?.weight ?? 1),
      };
    }),
    rollback: {
      parseFailureMargin: String(policy.parseFailureMargin),
      latencyMargin: String(policy.latencyMargin),
      minRuns: String(policy.minRuns),
    },
  };
}

/**
 * The form → `prompts.experiment.set` for the template; the active version always takes part
 * (candidates are measured against it).
 */
export function experimentFormSchema(templateId: string, activeVersionId: string | null) {
  return experimentForm
    .transform((f, ctx): SetInput => {
      const variants: SetInput['variants'] = [];
      f.variants.forEach((row, i) => {
        if (!row.included && row.versionId !== activeVersionId) return;
        const weight = typedNumber(row.weight, ['variants', i, 'weight'], ctx);
        variants.push({ versionId: row.versionId, weight });
      });
      if (variants.length < 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants'],
          message: 'Pick at least one other version to try against the active one',
        });
      } else if (!variants.some((v) => v.weight > 0)) {
        ctx.addIssue({ code: 'custom', path: ['variants'], message: 'Give some version a weight' });
      }
      const at = (key: string) => ['rollback', key];
      return {
        templateId,
        mode: f.mode,
        variants,
        rollback: {
          parseFailureMargin: typedNumber(
            f.rollback.parseFailureMargin,
            at('parseFailureMargin'),
            ctx,
          ),
          latencyMargin: typedNumber(f.rollback.latencyMargin, at('latencyMargin'), ctx),
          minRuns: typedNumber(f.rollback.minRuns, at('minRuns'), ctx),
        },
      };
    })
    .pipe(experimentSetSchema);
}
