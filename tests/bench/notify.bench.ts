/**
 * Alerts and notifications: rule evaluation cost per event with 100 rules (baseline: the
 * same event with 1 rule), then alert → webhook delivered latency and deliveries/s over a
 * loopback receiver. The last line is JSON.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { detect } from '../helpers/events';
import { startTestApp } from '../helpers/temp-app';
import { percentile, round } from './stats';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 300);

const received = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const payload = JSON.parse(body) as { alert?: { id: string } };
    if (payload.alert) received.set(payload.alert.id, performance.now());
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const t = await startTestApp({
  settingsPatch: {
    batching: { idleSeconds: 30, windowSeconds: 60, maxDetections: 1, stationary: { seconds: 0 } },
  },
  outboxPollMs: 1000,
});
await t.call('cameras.create', { name: 'Front Door' });
const channel = await t.call('notify.channels.create', {
  kind: 'webhook',
  name: 'Hub',
  config: { url },
});

// 1. Evaluation cost: one event against 1 rule, then against 100 rules (none alerting).
await detect(t.app, 'front_door', [{ objectClass: 'car', confidence: 0.7 }]);
while ((await t.call('events.stats', {})).total < 1) await new Promise((r) => setTimeout(r, 10));
await t.app.alerts.idle();
const [event] = (await t.call('events.list', { limit: 1 })).items;
const timeEvaluate = async (n: number) => {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const s = performance.now();
    await t.app.alerts.evaluate(event!);
    times.push(performance.now() - s);
  }
  return times;
};
const rules: string[] = [];
rules.push(
  (await t.call('alertRules.create', { name: 'r0', severity: 'low', objectClasses: ['person'] }))
    .id,
);
const one = await timeEvaluate(200);
for (let i = 1; i < 100; i += 1) {
  rules.push(
    (
      await t.call('alertRules.create', {
        name: `r${i}`,
        severity: 'low',
        objectClasses: ['person'],
        minRiskScore: i % 100,
        schedule: { days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '23:59', timezone: 'UTC' },
      })
    ).id,
  );
}
const hundred = await timeEvaluate(200);
for (const id of rules) await t.call('alertRules.delete', { id });

// 2. Latency: one alert at a time, from its creation to the webhook receiving it.
await t.call('alertRules.create', {
  name: 'All',
  severity: 'high',
  channelIds: [channel.id],
  cooldownSeconds: 0,
});
const created = new Map<string, number>();
t.app.push.subscribe((m) => {
  if (m.type === 'alert.created') created.set(m.data.id, performance.now());
});
for (let i = 0; i < 50; i += 1) {
  await detect(t.app, 'front_door', [
    {
      objectClass: 'person',
      confidence: 0.8,
      bbox: [(i % 20) / 20, 0.6, (i % 20) / 20 + 0.04, 0.9],
    },
  ]);
  while (received.size < i + 1) await new Promise((r) => setTimeout(r, 1));
}
const latencies = [...created].map(([id, at]) => received.get(id)! - at);
received.clear();

// 3. Throughput of the outbox: EVENTS alerts waiting, then the outbox drains them.
await t.app.outbox.stop();
for (let i = 0; i < EVENTS; i += 1) {
  await detect(t.app, 'front_door', [
    {
      objectClass: 'person',
      confidence: 0.8,
      bbox: [(i % 20) / 20, 0.1, (i % 20) / 20 + 0.04, 0.5],
    },
  ]);
}
while ((await t.call('alerts.list', { limit: 500 })).items.length < EVENTS + 50) {
  await new Promise((r) => setTimeout(r, 10));
}
await t.app.alerts.idle();
const start = performance.now();
await t.app.outbox.start();
while (received.size < EVENTS) await new Promise((r) => setTimeout(r, 2));
const seconds = (performance.now() - start) / 1000;
await t.close();
await new Promise<void>((r) => receiver.close(() => r()));

const r = {
  bench: 'notify',
  evaluateP50Ms1Rule: round(percentile(one, 50)),
  evaluateP50Ms100Rules: round(percentile(hundred, 50)),
  perRuleMicroseconds: round(((percentile(hundred, 50) - percentile(one, 50)) / 99) * 1000, 1),
  deliveries: EVENTS,
  deliveriesPerSecond: round(EVENTS / seconds, 1),
  alertToDeliveredP50Ms: round(percentile(latencies, 50), 2),
  alertToDeliveredP95Ms: round(percentile(latencies, 95), 2),
};
console.log(
  `evaluate one event: 1 rule p50 ${r.evaluateP50Ms1Rule} ms, 100 rules p50 ${r.evaluateP50Ms100Rules} ms (${r.perRuleMicroseconds} µs per extra rule)`,
);
console.log(
  `outbox: ${EVENTS} queued deliveries sent to the webhook at ${r.deliveriesPerSecond}/s`,
);
console.log(
  `alert → delivered latency p50 ${r.alertToDeliveredP50Ms} ms, p95 ${r.alertToDeliveredP95Ms} ms`,
);
console.log(JSON.stringify(r));
