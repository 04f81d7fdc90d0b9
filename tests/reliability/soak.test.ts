/**
 * Soak: a real `hsi serve` takes 10 cameras × 1 snapshot a second (people in every one, so
 * events, alerts to a loopback webhook receiver and MQTT messages to a subscriber on a real
 * Mosquitto) with the UI open in Chromium, while its /metrics are read every few seconds:
 * resident memory, event-loop lag (p99 of each interval), open file descriptors, queue depth
 * and throughput. Checked: RSS grows less than 10 % from the warmed-up level to the end,
 * event-loop lag p99 stays under 50 ms, open descriptors do not grow, and every snapshot is
 * processed. HSI_SOAK_SECONDS sets the length (180 in the suite, 1800 in `npm run soak`),
 * HSI_SOAK_CAMERAS the cameras (10).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';
import mqtt from 'mqtt';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../e2e/fixtures';
import { writeAtomically } from '../helpers/ingest-app';
import type { Broker } from '../helpers/mosquitto';
import { hasMosquitto, skipMqtt, startBroker } from '../helpers/mosquitto';
import { report } from '../helpers/reliability-report';
import type { ServeProcess } from '../helpers/serve-process';
import { callServe, serveOn } from '../helpers/serve-process';
import { COCO_139_JPG } from '../helpers/shared-assets';
import { tempDir } from '../helpers/temp-app';
import type { FakeWebhook } from '../helpers/webhook-server';
import { startWebhookServer } from '../helpers/webhook-server';
import { peopleRule } from '../helpers/events';

const SECONDS = Number(process.env.HSI_SOAK_SECONDS ?? 180);
const CAMERAS = Number(process.env.HSI_SOAK_CAMERAS ?? 10);
const SAMPLE_EVERY_MS = 5000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let serve: ServeProcess | undefined;
let hook: FakeWebhook | undefined;
let broker: Broker | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await hook?.close();
  await broker?.stop();
});

interface Sample {
  second: number;
  rssMb: number;
  lagP99Ms: number;
  fds: number;
  queued: number;
  processed: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe.skipIf(!fs.existsSync(COCO_139_JPG) || skipMqtt || !fs.existsSync(CHROMIUM))(
  'soak',
  () => {
    it(
      `${CAMERAS} cameras × 1 snapshot/s for ${SECONDS} s: memory, event-loop lag and descriptors stay flat`,
      { timeout: (SECONDS + 240) * 1000 },
      async () => {
        // A distinct photo of people for every snapshot (the same bytes twice are a duplicate).
        const photo = (i: number) =>
          sharp(COCO_139_JPG)
            .extract({ left: i % 24, top: Math.floor(i / 24) % 24, width: 600, height: 400 })
            .flop(Math.floor(i / 576) % 2 === 1)
            .jpeg({ quality: 90 - Math.floor(i / 1152) })
            .toBuffer();
        hook = await startWebhookServer();
        if (hasMosquitto) broker = await startBroker();
        const dataDir = tempDir('hsi-soak-');
        serve = await serveOn(dataDir, {
          detector: { providers: ['cpu'] },
          ingest: { stabilitySeconds: 0.2, minBytes: 0 },
          batching: { idleSeconds: 2, windowSeconds: 20 },
          ...(broker && { mqtt: { enabled: true, url: broker.url } }),
        })();
        const s = serve;
        const rpc = <T>(channel: string, input: unknown = {}) => callServe<T>(s, channel, input);
        const cameras: { folder: string }[] = [];
        for (let c = 0; c < CAMERAS; c += 1) {
          cameras.push(await rpc<{ folder: string }>('cameras.create', { name: `Soak ${c + 1}` }));
        }
        const channel = await rpc<{ id: string }>('notify.channels.create', {
          kind: 'webhook',
          name: 'Hub',
          config: { url: hook.url, timeoutMs: 2000 },
        });
        await rpc('alertRules.create', peopleRule([channel.id]));
        let mqttMessages = 0;
        const subscriber = broker ? mqtt.connect(broker.url) : undefined;
        subscriber?.on('message', () => (mqttMessages += 1));
        subscriber?.subscribe('hsi/#');
        browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
        const page = await browser.newPage();
        await page.goto(`${s.url}/?token=${s.token}#/`);
        // The app itself, live (not the "not built" page): it takes pushes all along.
        await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });

        const samples: Sample[] = [];
        const started = performance.now();
        const sample = async () => {
          const text = await (
            await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.token}` } })
          ).text();
          const value = (name: string) =>
            Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
          const ingest = await rpc<{ queueDepth: number; processed: number }>('ingest.status');
          samples.push({
            second: Math.round((performance.now() - started) / 1000),
            rssMb: value('hsi_process_resident_memory_bytes') / 2 ** 20,
            lagP99Ms: value('hsi_nodejs_eventloop_lag_p99_seconds') * 1000,
            fds: value('hsi_process_open_fds'),
            queued: ingest.queueDepth,
            processed: ingest.processed,
          });
        };
        let written = 0;
        let nextSample = performance.now() + SAMPLE_EVERY_MS;
        for (let second = 0; second < SECONDS; second += 1) {
          const tick = started + (second + 1) * 1000;
          for (const camera of cameras) {
            writeAtomically(
              path.join(dataDir, 'ingest', camera.folder, `snap-${second}.jpg`),
              await photo(written),
            );
            written += 1;
          }
          if (performance.now() >= nextSample) {
            await sample();
            nextSample += SAMPLE_EVERY_MS;
          }
          await new Promise((r) => setTimeout(r, Math.max(0, tick - performance.now())));
        }
        const ingestSeconds = (performance.now() - started) / 1000;
        await expect
          .poll(() => rpc<{ processed: number }>('ingest.status').then((x) => x.processed), {
            timeout: 120_000,
            interval: 500,
          })
          .toBe(written);
        await sample();
        subscriber?.end();

        // Warmed up: from a third of the way in (caches, JIT and pools filled), to the end.
        const warm = samples.filter((x) => x.second >= SECONDS / 3);
        const base = warm.slice(0, 3);
        const end = samples.slice(-3);
        const rssGrowth = median(end.map((x) => x.rssMb)) / median(base.map((x) => x.rssMb)) - 1;
        const lagP99Ms = Math.max(...warm.map((x) => x.lagP99Ms));
        const fdGrowth = median(end.map((x) => x.fds)) - median(base.map((x) => x.fds));
        const result = {
          seconds: SECONDS,
          cameras: CAMERAS,
          snapshots: written,
          imagesPerSecond: Math.round((written / ingestSeconds) * 10) / 10,
          maxQueueDepth: Math.max(...samples.map((x) => x.queued)),
          rssMb: samples.map((x) => Math.round(x.rssMb)),
          rssGrowthPercent: Math.round(rssGrowth * 1000) / 10,
          lagP99Ms: Math.round(lagP99Ms * 10) / 10,
          fds: samples.map((x) => x.fds),
          webhookReceipts: hook.received.length,
          mqttMessages,
        };
        report('soak', {
          scenarios: [
            {
              name: `soak ${CAMERAS} cameras × ${SECONDS} s`,
              ok: rssGrowth < 0.1 && lagP99Ms < 50 && fdGrowth <= 2,
            },
          ],
          notes: result,
        });
        expect(hook.received.length).toBeGreaterThan(0);
        if (broker) expect(mqttMessages).toBeGreaterThan(0);
        expect({ rssGrowth: rssGrowth < 0.1, result }).toMatchObject({ rssGrowth: true });
        expect({ lag: lagP99Ms < 50, result }).toMatchObject({ lag: true });
        expect({ fds: fdGrowth <= 2, result }).toMatchObject({ fds: true });
      },
    );
  },
);
