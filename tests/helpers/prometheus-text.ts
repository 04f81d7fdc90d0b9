/**
 * A reader of the Prometheus text exposition format 0.0.4, written from its published
 * description: `# HELP` / `# TYPE` lines, then samples `name{label="value",…} value
 * [timestamp]` with `\\`, `\"` and `\n` escaped in label values. It throws on anything the
 * format does not allow, and checks histograms: buckets by `le` rising to `+Inf`, which
 * equals `_count`.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** As the official parsers read values (Go's ParseFloat): Inf and NaN in any case. */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const v = Number(text);
  if (text.trim() === '' || Number.isNaN(v)) throw new Error(`Not a sample value: ${text}`);
  return v;
}

function parseSample(line: string): Sample {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  const labels: Record<string, string> = {};
  let rest: string;
  let name: string;
  if (brace >= 0 && (space < 0 || brace < space)) {
    name = line.slice(0, brace);
    let i = brace + 1;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      const label = line.slice(i, eq).trim();
      if (!LABEL.test(label)) throw new Error(`Bad label name "${label}" in: ${line}`);
      if (line[eq + 1] !== '"') throw new Error(`Unquoted label value in: ${line}`);
      let j = eq + 2;
      let value = '';
      for (; line[j] !== '"'; j += 1) {
        if (j >= line.length) throw new Error(`Unterminated label value in: ${line}`);
        if (line[j] === '\\') {
          const next = line[j + 1];
          value += next === 'n' ? '\n' : next;
          j += 1;
        } else value += line[j];
      }
      labels[label] = value;
      i = j + 1;
      if (line[i] === ',') i += 1;
    }
    rest = line.slice(i + 1).trim();
  } else {
    name = line.slice(0, space);
    rest = line.slice(space + 1).trim();
  }
  if (!NAME.test(name)) throw new Error(`Bad metric name "${name}"`);
  const [value, timestamp, extra] = rest.split(/\s+/);
  if (value === undefined || extra !== undefined) throw new Error(`Bad sample: ${line}`);
  if (timestamp !== undefined && !/^-?\d+$/.test(timestamp))
    throw new Error(`Bad timestamp: ${line}`);
  return { name, labels, value: parseValue(value) };
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sample: string) => {
    for (const suffix of ['_bucket', '_sum', '_count', '']) {
      const base = suffix && sample.endsWith(suffix) ? sample.slice(0, -suffix.length) : sample;
      const f = families.get(base);
      if (f && (suffix === '' || f.type === 'histogram' || f.type === 'summary')) return f;
    }
    return undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue; // a plain comment
      const [, kind, name, rest] = m;
      const f = families.get(name!) ?? { name: name!, type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!))
          throw new Error(`Bad type: ${line}`);
        f.type = rest!;
      } else f.help = rest!;
      families.set(name!, f);
      continue;
    }
    const sample = parseSample(line);
    const f = familyOf(sample.name);
    if (!f) throw new Error(`Sample without a family: ${line}`);
    f.samples.push(sample);
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const samples of series.values()) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    if (!count || !samples.some((s) => s.name === `${f.name}_sum`))
      throw new Error(`${f.name}: a series without _sum or _count`);
    let last = -Infinity;
    let lastValue = 0;
    for (const b of buckets) {
      const le = parseValue(b.labels.le ?? '');
      if (le <= last || b.value < lastValue) throw new Error(`${f.name}: buckets not rising`);
      last = le;
      lastValue = b.value;
    }
    if (last !== Infinity || lastValue !== count.value)
      throw new Error(`${f.name}: +Inf bucket missing or not equal to _count`);
  }
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
