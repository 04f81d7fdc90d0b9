/**
 * Crash recovery under random kills: a real `hsi serve` child process takes a mixed workload
 * (snapshots into a camera folder and over FTP; alerts to a loopback webhook receiver, an SMTP
 * server and a Mosquitto broker; exports; calibration re-evaluations; LLM re-scoring once the
 * loopback LLM, down at first, answers) and is SIGKILLed at random points, then restarted on
 * the same data folder.
 * After every kill the database must be whole; at the end every accepted snapshot is processed
 * once, every batch has at most one event, every alert reached the receiver with a stable
 * idempotency key and was not sent again once acknowledged, and jobs and exports ended
 * truthfully (completed with their file, or failed "Interrupted" with no partial file).
 *
 * Seeded: HSI_CHAOS_SEED replays a run (a failing run prints its seed); HSI_CHAOS_KILLS sets
 * the number of kills (10 here, 200 in `npm run chaos`).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'basic-ftp';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import sharp from 'sharp';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/http';
import { writeAtomically } from '../helpers/ingest-app';
import type { FakeLlm } from '../helpers/llm-server';
import { startFakeLlm } from '../helpers/llm-server';
import type { Broker } from '../helpers/mosquitto';
import { skipMqtt, startBroker } from '../helpers/mosquitto';
import { report } from '../helpers/reliability-report';
import type { ServeProcess } from '../helpers/serve-process';
import { callServe, serveOn } from '../helpers/serve-process';
import { COCO_139_JPG } from '../helpers/shared-assets';
import { tempDir } from '../helpers/temp-app';
import type { FakeWebhook } from '../helpers/webhook-server';
import { startWebhookServer } from '../helpers/webhook-server';

/** Secrets the run uses: none may appear in anything it wrote or sent (the FTP one is made). */
const SECRETS = {
  webhook: 'whsec-chaos-7d1f2a',
  smtp: 'smtp-chaos-41d0e9',
  mqtt: 'mqtt-chaos-5e2b77',
  llm: 'sk-chaos-93ac0b',
};

const SEED = Number(process.env.HSI_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.HSI_CHAOS_KILLS ?? 10);

/** mulberry32: a small seeded generator, so a run can be replayed from its seed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, between: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

/** A distinct JPEG of people (a different crop of the same photo for every index). */
async function photo(i: number): Promise<Buffer> {
  return sharp(COCO_139_JPG)
    .extract({ left: i % 24, top: Math.floor(i / 24) % 24, width: 600, height: 400 })
    .jpeg({ quality: 85 - Math.floor(i / 576) })
    .toBuffer();
}

const countBy = (values: string[]) =>
  values.reduce<Record<string, number>>((m, v) => ({ ...m, [v]: (m[v] ?? 0) + 1 }), {});

const rpc = callServe;

let hook: FakeWebhook | undefined;
let smtp: SMTPServer | undefined;
let broker: Broker | undefined;
let llm: FakeLlm | undefined;
let serve: ServeProcess | undefined;
afterAll(async () => {
  serve?.child.kill('SIGKILL');
  await hook?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  await broker?.stop();
  await llm?.close();
});

/** Receipts per idempotency key, across the webhook, email and MQTT channels. */
const received = new Map<string, number>();
const receipt = (key: string | undefined) => {
  if (key) received.set(key, (received.get(key) ?? 0) + 1);
};

describe.skipIf(!fs.existsSync(COCO_139_JPG) || skipMqtt)('crash recovery', () => {
  it(
    `survives ${KILLS} SIGKILLs at random points with nothing lost or sent twice`,
    { timeout: 60_000 + KILLS * 15_000 },
    async () => {
      const rand = generator(SEED);
      const dataDir = tempDir('hsi-chaos-');
      hook = await startWebhookServer();
      /** Everything the app sent out, to look for secrets in at the end. */
      const sentOut: string[] = [];
      smtp = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        onAuth(auth, _session, callback) {
          if (auth.username === 'hsi' && auth.password === SECRETS.smtp) {
            callback(null, { user: 'hsi' });
          } else callback(new Error('Invalid username or password'));
        },
        onData(stream, _session, callback) {
          let data = '';
          stream.on('data', (c: Buffer) => (data += c.toString()));
          stream.on('end', () => {
            sentOut.push(data);
            // The header may be folded onto the next line.
            const header = /^X-HSI-Idempotency-Key:((?:.*)(?:\r?\n[ \t].*)*)/im.exec(data);
            receipt(header?.[1]?.replace(/\s+/g, ''));
            callback();
          });
        },
      });
      // A connection the kill cuts off is reported here (ECONNRESET); it is expected.
      smtp.on('error', () => undefined);
      await new Promise<void>((r) => smtp!.listen(0, '127.0.0.1', r));
      broker = await startBroker({ users: { hsi: SECRETS.mqtt, watcher: 'watcher-pass' } });
      const subscriber = mqtt.connect(broker.url, {
        username: 'watcher',
        password: 'watcher-pass',
      });
      await new Promise<void>((resolve, reject) => {
        subscriber.once('connect', () => resolve());
        subscriber.once('error', reject);
      });
      await subscriber.subscribeAsync('#', { qos: 1 });
      subscriber.on('message', (topic, payload) => {
        sentOut.push(`${topic} ${payload.toString()}`);
        if (topic !== 'chaos/alerts') return;
        receipt((JSON.parse(payload.toString()) as { idempotencyKey?: string }).idempotencyKey);
      });
      // The LLM is down at first (the rules score), then answers (a re-scoring job follows).
      llm = await startFakeLlm('error500');
      const ftpPort = await freePort();
      const start = serveOn(dataDir, {
        detector: { providers: ['cpu'] },
        ingest: {
          stabilitySeconds: 0.2,
          minBytes: 0,
          ftp: { enabled: true, host: '127.0.0.1', port: ftpPort },
        },
        batching: { idleSeconds: 0.3, windowSeconds: 3, stationary: { seconds: 0 } },
        mqtt: { enabled: true, url: broker.url, username: 'hsi', password: SECRETS.mqtt },
        llm: { enabled: true, baseUrl: llm.url, timeoutMs: 2000, apiKey: SECRETS.llm },
      });

      serve = await start();
      const camera = await rpc<{ id: string; folder: string }>(serve, 'cameras.create', {
        name: 'Chaos Yard',
      });
      const smtpPort = (smtp.server.address() as AddressInfo).port;
      const channels = [
        {
          kind: 'webhook',
          name: 'Hub',
          config: { url: hook.url, timeoutMs: 2000, secret: SECRETS.webhook },
        },
        {
          kind: 'email',
          name: 'Me',
          config: {
            host: '127.0.0.1',
            port: smtpPort,
            security: 'none',
            user: 'hsi',
            password: SECRETS.smtp,
            from: 'hsi@example.com',
            to: ['me@example.com'],
            timeoutMs: 2000,
          },
        },
        { kind: 'mqtt', name: 'Broker', config: { topic: 'chaos/alerts' } },
      ];
      const channelIds: string[] = [];
      for (const c of channels)
        channelIds.push((await rpc<{ id: string }>(serve, 'notify.channels.create', c)).id);
      await rpc(serve, 'alertRules.create', {
        name: 'People',
        severity: 'high',
        objectClasses: ['person'],
        channelIds,
        cooldownSeconds: 0,
      });
      const ftp = await rpc<{ user: string; password: string }>(serve, 'cameras.ftp.setPassword', {
        id: camera.id,
      });
      let ftpUploads = 0;
      /** One snapshot over FTP: accepted once the server confirmed it (226). */
      const upload = async (file: string, bytes: Buffer) => {
        const client = new Client(3000);
        try {
          await client.access({
            host: '127.0.0.1',
            port: ftpPort,
            user: ftp.user,
            password: ftp.password,
          });
          await client.uploadFrom(Readable.from(bytes), path.basename(file));
          written.push(file);
          ftpUploads += 1;
        } catch {
          // Cut off by the kill (or refused while it starts): not accepted.
        } finally {
          client.close();
        }
      };

      /** Snapshots accepted: written to the folder, or confirmed over FTP. */
      const written: string[] = [];
      let index = 0;
      /** Receipts per idempotency key at the moment its delivery was seen as sent. */
      const acknowledged = new Map<string, number>();
      const receipts = (key: string) =>
        (received.get(key) ?? 0) +
        hook!.received.filter((r) => r.headers['idempotency-key'] === key).length;
      const db = () => new Database(path.join(dataDir, 'hsi.sqlite'), { readonly: true });
      let kills = 0;
      let actions = 0;
      /** Kills that found work under way (snapshots, deliveries or jobs not finished). */
      let killedMidWork = 0;

      try {
        for (let k = 0; k < KILLS; k += 1) {
          if (k === Math.floor(KILLS / 2)) llm.mode = 'good';
          serve ??= await start();
          const current = serve;
          const killAt = performance.now() + rand.between(150, 2500);
          // The workload runs until the kill; calls cut off by it are expected to fail.
          while (performance.now() < killAt) {
            const roll = rand.next();
            if (roll < 0.55) {
              const file = path.join(camera.folder, `snap-${index}.jpg`);
              writeAtomically(file, await photo(index++));
              written.push(file);
            } else if (roll < 0.75) {
              const file = path.join(camera.folder, `ftp-${index}.jpg`);
              await upload(file, await photo(index++));
            } else if (roll < 0.85) {
              await rpc(current, 'exports.create', { format: 'zip' }).catch(() => undefined);
            } else if (roll < 0.92) {
              await rpc(current, 'calibration.reevaluate', {}).catch(() => undefined);
            }
            actions += 1;
            await new Promise((r) => setTimeout(r, rand.between(10, 250)));
          }
          // Mostly, the kill lands shortly after a burst, while its work is under way.
          if (rand.next() < 0.7) {
            for (let n = rand.between(2, 5); n > 0; n -= 1) {
              const file = path.join(camera.folder, `snap-${index}.jpg`);
              writeAtomically(file, await photo(index++));
              written.push(file);
            }
            if (rand.next() < 0.3) {
              await rpc(current, 'exports.create', { format: 'zip' }).catch(() => undefined);
            }
            await new Promise((r) => setTimeout(r, rand.between(0, 700)));
          }
          current.child.kill('SIGKILL');
          await new Promise((r) => current.child.once('exit', r));
          serve = undefined;
          kills += 1;

          // Right after the kill: the database is whole, and what it says was sent is noted.
          const conn = db();
          try {
            expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
            expect(conn.pragma('foreign_key_check')).toEqual([]);
            const sent = conn
              .prepare(`SELECT idempotency_key AS key FROM deliveries WHERE status = 'sent'`)
              .all() as { key: string }[];
            for (const { key } of sent)
              if (!acknowledged.has(key)) acknowledged.set(key, receipts(key));
            const underWay = conn
              .prepare(
                `SELECT
                  (SELECT count(*) FROM ingest_queue WHERE status IN ('queued', 'processing')) +
                  (SELECT count(*) FROM deliveries WHERE status NOT IN ('sent', 'dead')) +
                  (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running')) +
                  (SELECT count(*) FROM export_jobs WHERE status IN ('pending', 'running')) AS n,
                  (SELECT count(*) FROM ingest_queue) AS taken`,
              )
              .get() as { n: number; taken: number };
            // Snapshots not yet taken in count too: they are found again on the next start.
            if (underWay.n > 0 || underWay.taken < written.length) killedMidWork += 1;
          } finally {
            conn.close();
          }
        }

        // Last start: everything settles.
        serve = await start();
        const settled = () => {
          const conn = db();
          try {
            const open = conn
              .prepare(
                `SELECT
                  (SELECT count(*) FROM ingest_queue WHERE status IN ('queued', 'processing')) +
                  (SELECT count(*) FROM batches WHERE status != 'closed') +
                  (SELECT count(*) FROM deliveries WHERE status NOT IN ('sent', 'dead')) +
                  (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running')) +
                  (SELECT count(*) FROM export_jobs WHERE status IN ('pending', 'running')) +
                  (SELECT count(*) FROM events WHERE scorer = 'rules') AS n,
                  (SELECT count(*) FROM ingest_queue) AS queued`,
              )
              .get() as { n: number; queued: number };
            return open.n === 0 && open.queued >= written.length;
          } finally {
            conn.close();
          }
        };
        await expect.poll(settled, { timeout: 60_000, interval: 250 }).toBe(true);
        await serve.stop();
        serve = undefined;

        const conn = db();
        let lost = 0;
        let duplicated = 0;
        try {
          expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
          // Every snapshot written was taken in exactly once, and processed.
          const rows = conn
            .prepare(`SELECT path, status, count(*) AS n FROM ingest_queue GROUP BY path`)
            .all() as { path: string; status: string; n: number }[];
          const byPath = new Map(rows.map((r) => [r.path, r]));
          for (const file of written) {
            const row = byPath.get(file);
            if (!row) lost += 1;
            else if (row.n > 1) duplicated += 1;
            else expect({ file, status: row.status }).toEqual({ file, status: 'done' });
          }
          // Uploads cut off by a kill were never accepted: their partial files are quarantined.
          const notAccepted = rows.filter((r) => !written.includes(r.path));
          for (const r of notAccepted) {
            expect({ path: r.path, status: r.status }).toEqual({
              path: r.path,
              status: 'quarantined',
            });
          }
          // No snapshot's detections were stored twice (a second pass would repeat its boxes).
          const repeated = conn
            .prepare(
              `SELECT image_id, object_class, x1, y1, x2, y2, count(*) AS n FROM detections
               GROUP BY image_id, object_class, x1, y1, x2, y2 HAVING n > 1`,
            )
            .all();
          duplicated += repeated.length;
          // One event per batch (the schema says so; the count shows it held).
          const perBatch = conn
            .prepare(
              `SELECT batch_id, count(*) AS n FROM events WHERE batch_id IS NOT NULL
               GROUP BY batch_id HAVING n > 1`,
            )
            .all();
          duplicated += perBatch.length;
          // People were seen: events and alerts exist, and every alert reached the receiver.
          const deliveries = conn
            .prepare(
              `SELECT d.idempotency_key AS key, d.status, c.kind, d.attempts, d.last_error AS error
               FROM deliveries d JOIN notification_channels c ON c.id = d.channel_id`,
            )
            .all() as {
            key: string;
            status: string;
            kind: string;
            attempts: number;
            error: string | null;
          }[];
          const alerts = conn.prepare(`SELECT count(*) AS n FROM alerts`).get() as { n: number };
          expect(alerts.n).toBeGreaterThan(0);
          expect(deliveries).toHaveLength(alerts.n * channelIds.length);
          for (const d of deliveries) {
            expect(d).toEqual({ ...d, status: 'sent' });
            if (receipts(d.key) === 0) lost += 1;
          }
          // Once acknowledged as sent, never sent again.
          for (const [key, count] of acknowledged) {
            if (receipts(key) > count) duplicated += 1;
          }
          // Jobs and exports ended truthfully.
          const jobs = conn.prepare(`SELECT status, error FROM jobs`).all() as {
            status: string;
            error: string | null;
          }[];
          for (const j of jobs) {
            expect(['completed', 'failed', 'cancelled']).toContain(j.status);
            if (j.status === 'failed') expect(j.error).toMatch(/interrupt/i);
          }
          const exportsDone = conn
            .prepare(`SELECT status, file_path AS file, error FROM export_jobs`)
            .all() as { status: string; file: string | null; error: string | null }[];
          for (const e of exportsDone) {
            if (e.status === 'completed') expect(fs.existsSync(e.file!)).toBe(true);
            else {
              expect(e.status).toBe('failed');
              expect(e.error).toMatch(/^Interrupted/);
              if (e.file) expect(fs.existsSync(e.file)).toBe(false);
            }
          }
          // No file in the exports folder that no completed export owns (no partial files).
          const owned = new Set(
            exportsDone.filter((e) => e.status === 'completed').map((e) => path.resolve(e.file!)),
          );
          const exportsDir = path.join(dataDir, 'exports');
          const orphans = fs.existsSync(exportsDir)
            ? fs
                .readdirSync(exportsDir)
                .map((f) => path.resolve(exportsDir, f))
                .filter((f) => !owned.has(f))
            : [];
          expect(orphans).toEqual([]);
          // No secret in anything the run wrote (data folder: database, logs, exports,
          // recordings) or sent out (webhook bodies, mail, every MQTT message).
          const secrets = [...Object.values(SECRETS), ftp.password];
          const leaks: string[] = [];
          const walk = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
              const file = path.join(dir, entry.name);
              if (entry.isDirectory()) walk(file);
              else if (entry.isFile()) {
                const bytes = fs.readFileSync(file);
                for (const secret of secrets)
                  if (bytes.includes(secret)) leaks.push(`${file}: ${secret}`);
              }
            }
          };
          walk(dataDir);
          for (const text of [...sentOut, ...hook.received.map((r) => r.body)]) {
            for (const secret of secrets) if (text.includes(secret)) leaks.push(`sent: ${secret}`);
          }
          expect(leaks).toEqual([]);
          // …while they were in use: the LLM got its key, the webhook its signature.
          expect(llm.requests.some((r) => r.authorization === `Bearer ${SECRETS.llm}`)).toBe(true);
          expect(hook.received.every((r) => r.headers['x-hsi-signature'])).toBe(true);
          report('crash', {
            killsSurvived: kills,
            lost,
            duplicated,
            scenarios: [
              { name: `${kills} SIGKILLs, ${actions} actions`, ok: lost + duplicated === 0 },
            ],
            notes: {
              seed: SEED,
              snapshots: written.length,
              alerts: alerts.n,
              channels: channelIds.length,
              receipts: [...received.values()].reduce((a, b) => a + b, hook.received.length),
              ftpUploads,
              secretsChecked: secrets.length,
              filesSearchedForSecrets: 'every file in the data folder',
              messagesSearchedForSecrets: sentOut.length + hook.received.length,
              partialUploadsQuarantined: notAccepted.length,
              llmRequests: llm.requests.length,
              killedMidWork,
              acknowledgedBeforeAKill: acknowledged.size,
              exports: countBy(exportsDone.map((e) => e.status)),
              jobs: countBy(jobs.map((j) => j.status)),
            },
          });
          expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
        } finally {
          conn.close();
        }
      } catch (err) {
        (err as Error).message = `replay with HSI_CHAOS_SEED=${SEED}: ${(err as Error).message}`;
        throw err;
      }
    },
  );
});
