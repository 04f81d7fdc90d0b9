import type { Kysely } from 'kysely';
import type { RiskThresholds } from '../../src-shared/domain';
import type { DB } from '../db/schema';

export interface Calibration {
  classMultipliers: Record<string, number>;
  cameraSensitivity: Record<string, number>;
  thresholds: RiskThresholds;
}

export function calibrationRepository(db: Kysely<DB>) {
  return {
    async get(): Promise<Calibration> {
      const row = await db
        .selectFrom('calibration')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return {
        classMultipliers: JSON.parse(row.class_multipliers) as Record<string, number>,
        cameraSensitivity: JSON.parse(row.camera_sensitivity) as Record<string, number>,
        thresholds: {
          medium: row.medium_threshold,
          high: row.high_threshold,
          critical: row.critical_threshold,
        },
      };
    },
  };
}

export type CalibrationRepository = ReturnType<typeof calibrationRepository>;
