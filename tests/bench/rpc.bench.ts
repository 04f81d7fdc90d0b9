/**
 * RPC overhead: the same query (`cameras.list` over 200 cameras) as a raw better-sqlite3
 * statement (baseline), through the router, and over the HTTP bridge. Prints percentiles and
 * ratios against the baseline measured in the same run; the last line is JSON.
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { startWebServer } from '../../src-main/web/server';
import { request } from '../helpers/http';
import { startTestApp } from '../helpers/temp-app';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(fn: () => unknown): Promise<{ p50: number; p95: number; mean: number }> {
  for (let i = 0; i < 100; i += 1) await fn();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { p50: percentile(times, 50), p95: percentile(times, 95), mean };
}

const t = await startTestApp();
for (let i = 0; i < 200; i += 1) await t.call('cameras.create', { name: `Camera ${i}` });
const server = await startWebServer(t.app, { port: 0, token: 'bench' });
// Baseline: the raw statement on its own connection to the same file.
const raw = new Database(`${t.dataDir}/hsi.sqlite`, { readonly: true });
const stmt = raw.prepare('SELECT * FROM cameras ORDER BY name');

const baseline = await measure(() => stmt.all());
const router = await measure(() =>
  t.app.router.invoke('cameras.list', {}, { transport: 'internal' }),
);
const http = await measure(() =>
  request(`${server.url}/api/rpc/cameras.list`, {
    method: 'POST',
    headers: { authorization: 'Bearer bench' },
    body: '{}',
  }),
);
raw.close();
await server.close();
await t.close();

const round = (n: number) => Math.round(n * 1000) / 1000;
console.log(`raw sqlite   p50 ${round(baseline.p50)} ms  p95 ${round(baseline.p95)} ms`);
console.log(`router       p50 ${round(router.p50)} ms  p95 ${round(router.p95)} ms`);
console.log(`HTTP bridge  p50 ${round(http.p50)} ms  p95 ${round(http.p95)} ms`);
console.log(
  JSON.stringify({
    bench: 'rpc',
    iterations: ITERATIONS,
    rows: 200,
    rawP50Ms: round(baseline.p50),
    routerP50Ms: round(router.p50),
    routerP95Ms: round(router.p95),
    httpP50Ms: round(http.p50),
    httpP95Ms: round(http.p95),
    routerOverBaseline: round(router.mean / baseline.mean),
    httpOverBaseline: round(http.mean / baseline.mean),
  }),
);
