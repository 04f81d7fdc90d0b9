/**
 * Real-user monitoring: the window's Core Web Vitals (LCP, INP, CLS, TTFB, FCP, by the
 * `web-vitals` library) sent in batches through `rum.ingest`: every 10 s, at 20 waiting, and
 * when the page is hidden (the HTTP client sends that one with `keepalive`, like a beacon).
 */
import type { Metric } from 'web-vitals';
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import type { HsiClient } from '../src-shared/contract';
import type { RumMetric } from '../src-shared/domain';

const FLUSH_MS = 10_000;
const FLUSH_AT = 20;

export function startRum(client: HsiClient): () => void {
  const queue: RumMetric[] = [];
  const flush = () => {
    if (queue.length === 0) return;
    const metrics = queue.splice(0, 200);
    // Lost measurements are not worth an error on screen.
    void client.invoke('rum.ingest', { metrics }).catch(() => undefined);
  };
  const report = (m: Metric) => {
    queue.push({
      name: m.name,
      value: m.value,
      rating: m.rating,
      path: window.location.hash || '#/',
      id: m.id,
    });
    if (queue.length >= FLUSH_AT) flush();
  };
  for (const on of [onCLS, onFCP, onINP, onLCP, onTTFB]) on(report);
  const timer = setInterval(flush, FLUSH_MS);
  const onHidden = () => {
    if (document.visibilityState === 'hidden') flush();
  };
  document.addEventListener('visibilitychange', onHidden);
  window.addEventListener('pagehide', flush);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onHidden);
    window.removeEventListener('pagehide', flush);
    flush();
  };
}
