import type { Kysely } from 'kysely';
import type { Calibration, CalibrationSettings, NightProfile } from '../../src-shared/calibration';
import type { FeedbackType } from '../../src-shared/domain';
import type { DB } from '../db/schema';

export type { Calibration };

const COUNTERS = {
  correct: 'correct_count',
  false_positive: 'false_positive_count',
  missed_threat: 'missed_threat_count',
  severity_wrong: 'severity_wrong_count',
} as const satisfies Record<FeedbackType, string>;

/** The single calibration row (id 1): the only writer of the `calibration` table. */
export function calibrationRepository(db: Kysely<DB>) {
  const read = async (q: Kysely<DB>): Promise<Calibration> => {
    const row = await q
      .selectFrom('calibration')
      .selectAll()
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return {
      thresholds: {
        medium: row.medium_threshold,
        high: row.high_threshold,
        critical: row.critical_threshold,
      },
      classMultipliers: JSON.parse(row.class_multipliers) as Record<string, number>,
      cameraSensitivity: JSON.parse(row.camera_sensitivity) as Record<string, number>,
      night: row.night_profile ? (JSON.parse(row.night_profile) as NightProfile) : null,
      decayFactor: row.decay_factor,
      feedback: {
        correct: row.correct_count,
        falsePositive: row.false_positive_count,
        missedThreat: row.missed_threat_count,
        severityWrong: row.severity_wrong_count,
      },
      updatedAt: row.updated_at,
    };
  };

  const write = async (q: Kysely<DB>, c: CalibrationSettings, now: string) => {
    await q
      .updateTable('calibration')
      .set({
        medium_threshold: c.thresholds.medium,
        high_threshold: c.thresholds.high,
        critical_threshold: c.thresholds.critical,
        class_multipliers: JSON.stringify(c.classMultipliers),
        camera_sensitivity: JSON.stringify(c.cameraSensitivity),
        night_profile: c.night ? JSON.stringify(c.night) : null,
        decay_factor: c.decayFactor,
        updated_at: now,
      })
      .where('id', '=', 1)
      .execute();
  };

  return {
    get: (): Promise<Calibration> => read(db),

    /** Replaces the settings (feedback counts are kept). */
    async save(c: CalibrationSettings, now: string): Promise<Calibration> {
      await write(db, c, now);
      return read(db);
    },

    /**
     * Reads, changes and writes the settings in one transaction, so a feedback step (which
     * moves the thresholds in its own transaction) committed meanwhile is never undone.
     */
    change(
      apply: (c: CalibrationSettings) => CalibrationSettings,
      now: string,
    ): Promise<Calibration> {
      return db.transaction().execute(async (tx) => {
        await write(tx, apply(await read(tx)), now);
        return read(tx);
      });
    },

    /**
     * Inside the feedback's transaction (`tx`): counts the feedback and lets `learn` move the
     * thresholds it read in the same transaction, so concurrent feedback never loses a step.
     */
    async applyFeedback(
      tx: Kysely<DB>,
      type: FeedbackType,
      learn: (c: CalibrationSettings) => Pick<CalibrationSettings, 'thresholds' | 'night'>,
      now: string,
    ): Promise<void> {
      const next = learn(await read(tx));
      const counter = COUNTERS[type];
      await tx
        .updateTable('calibration')
        .set((eb) => ({
          medium_threshold: next.thresholds.medium,
          high_threshold: next.thresholds.high,
          critical_threshold: next.thresholds.critical,
          night_profile: next.night ? JSON.stringify(next.night) : null,
          [counter]: eb(counter, '+', 1),
          updated_at: now,
        }))
        .where('id', '=', 1)
        .execute();
    },
  };
}

export type CalibrationRepository = ReturnType<typeof calibrationRepository>;
