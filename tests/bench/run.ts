// `npm run bench`: every benchmark in turn, each in its own process; the JSON lines at the end.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const benches = [
  'rpc.bench.ts',
  'detect.bench.ts',
  'events.bench.ts',
  'notify.bench.ts',
  'export.bench.ts',
  'prompts.bench.ts',
  'analytics.bench.ts',
  'watch.bench.ts',
];
const results: string[] = [];
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, bench)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { HSI_LOG_LEVEL: 'silent', ...process.env },
      encoding: 'utf8',
    },
  );
  process.stdout.write(r.stdout);
  if (r.status !== 0) {
    console.error(`${bench} failed with ${r.status}`);
    process.exit(1);
  }
  const last = r.stdout.trim().split('\n').pop();
  if (last) results.push(last);
}
console.log(
  JSON.stringify({ bench: 'all', results: results.map((l) => JSON.parse(l) as unknown) }),
);
