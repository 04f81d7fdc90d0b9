import { spawnSync } from 'node:child_process';

/**
 * Prometheus text exposition read by the official Python client's parser
 * (`prometheus_client.parser`, Debian's `python3-prometheus-client`): what a Prometheus
 * server would accept. Throws with the parser's message when the text does not parse.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  samples: Sample[];
}

const PYTHON = process.env.PYTHON3 ?? '/usr/bin/python3';
const SCRIPT = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "samples": [
        {"name": s.name, "labels": s.labels, "value": repr(float(s.value))} for s in f.samples]})
print(json.dumps(out))
`;

export function parsePrometheusText(text: string): Map<string, Family> {
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`Cannot run ${PYTHON}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`The Prometheus parser refused the text:\n${r.stderr}`);
  const families = JSON.parse(r.stdout) as (Omit<Family, 'samples'> & {
    samples: (Omit<Sample, 'value'> & { value: string })[];
  })[];
  return new Map(
    families.map((f) => [
      f.name,
      {
        ...f,
        samples: f.samples.map((s) => ({
          ...s,
          value: Number(s.value.replace('inf', 'Infinity')),
        })),
      },
    ]),
  );
}

/** The value of one sample, by name and labels (undefined when absent). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
