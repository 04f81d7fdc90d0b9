/**
 * What the reliability suite proved, gathered across test files: each file adds its section
 * (scenarios run, faults injected, kills survived, inputs fuzzed, anything lost or duplicated)
 * and the suite's teardown (tests/reliability/summary.ts) prints them all and writes
 * reports/reliability-summary.json (not under test-results/, which Playwright empties when
 * the end-to-end tests start).
 */
import fs from 'node:fs';
import path from 'node:path';

export const REPORT_DIR = path.resolve(import.meta.dirname, '..', '..', 'reports', 'reliability');

export interface ScenarioOutcome {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ReliabilitySection {
  /** Scenarios run (named), with their outcome. */
  scenarios?: ScenarioOutcome[];
  faultsInjected?: number;
  killsSurvived?: number;
  /** Inputs tried per channel. */
  inputsPerChannel?: Record<string, number>;
  /** Items lost or handled twice (expected: 0). */
  lost?: number;
  duplicated?: number;
  /** Anything else worth printing (seeds, timings, counts). */
  notes?: Record<string, unknown>;
}

/** Adds (or replaces) one section of the summary. */
export function report(section: string, data: ReliabilitySection): void {
  fs.mkdirSync(REPORT_DIR, { recursive: true });
  fs.writeFileSync(path.join(REPORT_DIR, `${section}.json`), JSON.stringify(data, null, 2));
}

/**
 * Runs one scenario and adds its outcome to `into`: ok with the detail it returns, or failed
 * with the start of its error (which is thrown on, so the test fails too).
 */
export async function recordScenario(
  into: ScenarioOutcome[],
  name: string,
  body: () => Promise<string | undefined>,
  detailChars = 500,
): Promise<void> {
  try {
    const detail = await body();
    into.push({ name, ok: true, ...(detail !== undefined && { detail }) });
  } catch (err) {
    into.push({ name, ok: false, detail: String((err as Error).message).slice(0, detailChars) });
    throw err;
  }
}
