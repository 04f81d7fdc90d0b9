import type { Calibration, CalibrationSettings } from '../../src-shared/calibration';
import { DEFAULT_DECAY_FACTOR, thresholdIssues } from '../../src-shared/calibration';
import type { ChannelParsedInput } from '../../src-shared/contract';
import { DEFAULT_THRESHOLDS } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { nowIso } from '../common/ids';
import type { CalibrationRepository } from './calibration-repository';

export const DEFAULT_CALIBRATION: CalibrationSettings = {
  thresholds: DEFAULT_THRESHOLDS,
  classMultipliers: {},
  cameraSensitivity: {},
  night: null,
  decayFactor: DEFAULT_DECAY_FACTOR,
};

/**
 * Risk-level thresholds, class multipliers, camera sensitivity and the night profile the
 * scorers apply. (Feedback moves thresholds through `feedbackLearning`, in the feedback's own
 * transaction: see the event service.)
 */
export class CalibrationService {
  constructor(private readonly d: { calibration: CalibrationRepository }) {}

  get(): Promise<Calibration> {
    return this.d.calibration.get();
  }

  /** Applies a change; thresholds are checked merged with the current ones. */
  async update(patch: CalibrationPatch): Promise<Calibration> {
    return this.d.calibration.change((current) => applyPatch(current, patch), nowIso());
  }

  /** Back to the defaults; the feedback counts stay (as the reference system's reset). */
  reset(): Promise<Calibration> {
    return this.d.calibration.save(DEFAULT_CALIBRATION, nowIso());
  }

  /** The defaults, as a calibration that has had no feedback. */
  defaults(): Calibration {
    return { ...DEFAULT_CALIBRATION, feedback: { ...NO_FEEDBACK }, updatedAt: '' };
  }
}

/** A change applied to a calibration (thresholds checked merged: `invalid_input` naming the field). */
export function applyPatch(
  current: CalibrationSettings,
  patch: CalibrationPatch,
): CalibrationSettings {
  const thresholds = { ...current.thresholds, ...patch.thresholds };
  const issues = thresholdIssues(thresholds);
  if (issues.length) {
    throw new AppError(
      'invalid_input',
      issues[0]!.message,
      issues.map((i) => ({ ...i, path: ['thresholds', ...i.path] })),
    );
  }
  return {
    thresholds,
    classMultipliers: patch.classMultipliers ?? current.classMultipliers,
    cameraSensitivity: patch.cameraSensitivity ?? current.cameraSensitivity,
    night: patch.night === undefined ? current.night : patch.night,
    decayFactor: patch.decayFactor ?? current.decayFactor,
  };
}

type CalibrationPatch = ChannelParsedInput<'calibration.update'>;

const NO_FEEDBACK = { correct: 0, falsePositive: 0, missedThreat: 0, severityWrong: 0 };
