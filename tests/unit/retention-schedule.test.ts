import { describe, expect, it } from 'vitest';
import { nextDailyRun } from '../../src-main/retention/retention-service';

const local = (y: number, m: number, d: number, h: number, min = 0) =>
  new Date(y, m - 1, d, h, min).getTime();

describe('the daily retention run', () => {
  it('is due at the configured hour today, or tomorrow once it has passed', () => {
    expect(nextDailyRun(local(2026, 11, 30, 1, 30), 3)).toBe(local(2026, 11, 30, 3));
    expect(nextDailyRun(local(2026, 11, 30, 3), 3)).toBe(local(2026, 12, 1, 3));
    expect(nextDailyRun(local(2026, 11, 30, 23, 59), 0)).toBe(local(2026, 12, 1, 0));
    expect(nextDailyRun(local(2026, 12, 31, 4), 3)).toBe(local(2027, 1, 1, 3));
  });
});
