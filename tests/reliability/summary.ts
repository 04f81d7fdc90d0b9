/**
 * Vitest global setup: clears the reliability report before the run (the soak, run alone
 * after the rest, adds its section instead), and at its end prints the summary of every
 * section the suite wrote and saves it as reports/reliability-summary.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ReliabilitySection } from '../helpers/reliability-report';
import { REPORT_DIR } from '../helpers/reliability-report';

export function setup(): () => void {
  if (!process.env.HSI_SOAK) fs.rmSync(REPORT_DIR, { recursive: true, force: true });
  return () => {
    if (!fs.existsSync(REPORT_DIR)) return;
    const sections: Record<string, ReliabilitySection> = {};
    for (const f of fs
      .readdirSync(REPORT_DIR)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      sections[f.replace(/\.json$/, '')] = JSON.parse(
        fs.readFileSync(path.join(REPORT_DIR, f), 'utf8'),
      ) as ReliabilitySection;
    }
    const all = Object.values(sections);
    const sum = (pick: (s: ReliabilitySection) => number | undefined) =>
      all.reduce((n, s) => n + (pick(s) ?? 0), 0);
    const summary = {
      scenarios: sum((s) => s.scenarios?.length),
      scenariosFailed: sum((s) => s.scenarios?.filter((x) => !x.ok).length),
      faultsInjected: sum((s) => s.faultsInjected),
      killsSurvived: sum((s) => s.killsSurvived),
      inputsFuzzed: sum((s) => Object.values(s.inputsPerChannel ?? {}).reduce((a, b) => a + b, 0)),
      lost: sum((s) => s.lost),
      duplicated: sum((s) => s.duplicated),
      sections,
    };
    const file = path.join(REPORT_DIR, '..', 'reliability-summary.json');
    fs.writeFileSync(file, JSON.stringify(summary, null, 2));
    const { sections: _, ...totals } = summary;
    process.stdout.write(
      `\nReliability summary (${path.relative(process.cwd(), file)}):\n${JSON.stringify(totals)}\n`,
    );
  };
}
