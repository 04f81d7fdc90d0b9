// `npm run models:fetch [-- --dir DIR] [name …]`: downloads and sha256-checks detector models.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fetchModels } from '../src-main/detect/model-fetch';
import { appModelsDir, loadManifest } from '../src-main/detect/models';

const { values, positionals } = parseArgs({
  options: { dir: { type: 'string' }, manifest: { type: 'string' } },
  allowPositionals: true,
});
const manifestDir = values.manifest ? path.dirname(path.resolve(values.manifest)) : appModelsDir();
const all = loadManifest(manifestDir);
const wanted = positionals.length ? all.filter((m) => positionals.includes(m.name)) : all;
const unknown = positionals.filter((n) => !all.some((m) => m.name === n));
if (unknown.length) {
  console.error(
    `Unknown model(s): ${unknown.join(', ')}. Known: ${all.map((m) => m.name).join(', ')}`,
  );
  process.exit(2);
}
const dir = path.resolve(values.dir ?? appModelsDir());
let lastPrint = 0;
const outcomes = await fetchModels(wanted, dir, (name, received, total) => {
  if (Date.now() - lastPrint < 500) return;
  lastPrint = Date.now();
  const pct = total ? ` ${Math.round((received / total) * 100)}%` : '';
  process.stdout.write(`${name}: ${(received / 1e6).toFixed(1)} MB${pct}\n`);
});
for (const o of outcomes) console.log(`${o.name}: ${o.status} — ${o.detail}`);
process.exit(outcomes.some((o) => o.status === 'failed') ? 1 : 0);
