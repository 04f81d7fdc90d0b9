import { afterEach, describe, expect, it } from 'vitest';
import type { WebServer } from '../../src-main/web/server';
import { startWebServer } from '../../src-main/web/server';
import { FAST_BATCHES, detect } from '../helpers/events';
import { request } from '../helpers/http';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp | undefined;
let server: WebServer | undefined;
afterEach(async () => {
  await server?.close();
  await t?.close();
  server = undefined;
  t = undefined;
});

const EVENT_PAGE = '#/events/01JD3QK7Z8XYZ4PQ';
const valid = [
  { name: 'LCP', value: 1200, rating: 'good', path: EVENT_PAGE },
  { name: 'LCP', value: 2000, rating: 'good', path: EVENT_PAGE },
  { name: 'LCP', value: 3000, rating: 'needs-improvement', path: EVENT_PAGE },
  { name: 'LCP', value: 5000, rating: 'poor', path: EVENT_PAGE },
  { name: 'CLS', value: 0.05, rating: 'good', path: '#/dashboard' },
  { name: 'CLS', value: 0.3, rating: 'poor', path: '#/dashboard' },
  { name: 'INP', value: 80, rating: 'good', path: '#/events?q=person' },
  { name: 'INP', value: 400, rating: 'poor', path: '#/events' },
  { name: 'TTFB', value: 500, rating: 'good', path: `#/${'x'.repeat(150)}` },
  { name: 'FCP', value: 1500, rating: 'good', path: '#/dashboard', id: 'v4-1' },
];
const batch = [
  ...valid.slice(0, 3),
  { name: 'XYZ', value: 1, rating: 'good', path: '#/' }, // index 3
  ...valid.slice(3, 6),
  { name: 'LCP', value: -5, rating: 'good', path: '#/' }, // index 7
  ...valid.slice(6),
];

describe('real-user monitoring', () => {
  it('keeps the valid metrics of a batch, names the others by index, and shows them in /metrics and rum.summary (also after a restart)', async () => {
    t = await startTestApp();
    const result = await t.call('rum.ingest', { metrics: batch });
    expect(result.accepted).toBe(10);
    expect(result.rejected).toEqual([
      { index: 3, reason: expect.stringMatching(/^name: /) as string },
      { index: 7, reason: expect.stringMatching(/^value: /) as string },
    ]);
    expect(await t.raw('rum.ingest', { metrics: [] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });

    const rendererDir = tempDir('hsi-renderer-');
    server = await startWebServer(t.app, { port: 0, token: 'tok', rendererDir });
    const res = await request(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer tok' },
    });
    expect(res.status).toBe(200);
    const families = parsePrometheusText(res.text);
    const lcp = { path: '/events/:id', rating: 'good' };
    expect(families.get('hsi_rum_lcp_seconds')?.type).toBe('histogram');
    expect(sampleValue(families, 'hsi_rum_lcp_seconds_count', lcp)).toBe(2);
    expect(sampleValue(families, 'hsi_rum_lcp_seconds_sum', lcp)).toBeCloseTo(3.2, 9);
    expect(sampleValue(families, 'hsi_rum_lcp_seconds_bucket', { ...lcp, le: '1' })).toBe(0);
    expect(sampleValue(families, 'hsi_rum_lcp_seconds_bucket', { ...lcp, le: '2' })).toBe(2);
    expect(
      sampleValue(families, 'hsi_rum_cls_sum', { path: '/dashboard', rating: 'poor' }),
    ).toBeCloseTo(0.3, 9);
    expect(
      sampleValue(families, 'hsi_rum_inp_seconds_count', { path: '/events', rating: 'good' }),
    ).toBe(1); // the query is not part of the page
    expect(
      sampleValue(families, 'hsi_rum_metrics_total', { metric_name: 'LCP', rating: 'good' }),
    ).toBe(2);
    // Labels stay bounded: ids and queries out, at most 64 characters.
    const paths = new Set(
      [...families.values()]
        .filter((f) => f.name.startsWith('hsi_rum_') && f.type === 'histogram')
        .flatMap((f) => f.samples.map((s) => s.labels.path!)),
    );
    expect([...paths].sort()).toEqual([
      '/dashboard',
      '/events',
      '/events/:id',
      `/${'x'.repeat(63)}`,
    ]);

    const expected = {
      name: 'LCP',
      path: '/events/:id',
      count: 4,
      p50: 2000,
      p75: 3000,
      p95: 5000,
    };
    expect(await t.call('rum.summary', {})).toContainEqual(expected);
    // Sampled into SQLite: the same after a restart.
    const dataDir = t.dataDir;
    await server.close();
    server = undefined;
    await t.app.close();
    t = await startTestApp({ dataDir });
    expect(await t.call('rum.summary', {})).toContainEqual(expected);
    expect(
      await t.call('rum.summary', { from: new Date(Date.now() + 60_000).toISOString() }),
    ).toEqual([]);
  });

  it('/metrics also counts the pipeline: images, inference time, event latency, alerts and deliveries', async () => {
    t = await startTestApp({ settingsPatch: FAST_BATCHES });
    await t.call('cameras.create', { name: 'Yard' });
    await t.call('alertRules.create', {
      name: 'People',
      severity: 'high',
      objectClasses: ['person'],
    });
    await detect(t.app, 'yard', [{ objectClass: 'person', confidence: 0.8 }]);
    await expect
      .poll(async () => (await t!.call('alerts.list', {})).items.length, { timeout: 5000 })
      .toBe(1);
    server = await startWebServer(t.app, { port: 0, token: 'tok', rendererDir: tempDir() });
    const res = await request(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer tok' },
    });
    const families = parsePrometheusText(res.text);
    expect(sampleValue(families, 'hsi_images_processed_total', {})).toBe(1);
    expect(sampleValue(families, 'hsi_inference_seconds_count', {})).toBe(1);
    expect(sampleValue(families, 'hsi_event_creation_seconds_count', {})).toBe(1);
    expect(sampleValue(families, 'hsi_alerts_total', { severity: 'high' })).toBe(1);
    expect(families.get('hsi_event_creation_seconds')?.type).toBe('histogram');
    expect(
      sampleValue(families, 'hsi_rpc_calls_total', { channel: 'alerts.list', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
  });
});
