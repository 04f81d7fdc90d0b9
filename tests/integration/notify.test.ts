import fs from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { signature } from '../../src-main/notify/senders';
import { detect, peopleRule } from '../helpers/events';
import { jpeg } from '../helpers/images';
import { startIngestApp, writeAtomically } from '../helpers/ingest-app';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';
import type { FakeWebhook } from '../helpers/webhook-server';
import { startWebhookServer } from '../helpers/webhook-server';

let t: TestApp | undefined;
let hook: FakeWebhook | undefined;
let smtp: SMTPServer | undefined;
afterEach(async () => {
  await t?.close();
  await hook?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  t = undefined;
  hook = undefined;
  smtp = undefined;
});

async function start(dataDir?: string) {
  t = await startTestApp({
    dataDir,
    settingsPatch: { batching: { idleSeconds: 0.1, stationary: { seconds: 0 } } },
    outboxBackoffMs: 50,
    outboxPollMs: 50,
  });
  if (!dataDir) await t.call('cameras.create', { name: 'Front Door' });
  return t;
}

async function webhookRule(secret?: string) {
  hook = await startWebhookServer();
  const channel = await t!.call('notify.channels.create', {
    kind: 'webhook',
    name: 'Home hub',
    config: { url: hook.url, secret, timeoutMs: 300 },
  });
  await t!.call('alertRules.create', peopleRule([channel.id]));
  return channel;
}

const deliveries = () => t!.call('notify.deliveries.list', {});

describe('webhook deliveries', () => {
  it('sends the credentials of a user:password@ URL as Basic authorization (fetch refuses them in the URL)', async () => {
    await start();
    hook = await startWebhookServer();
    const withCredentials = hook.url.replace('http://', 'http://alice:s3cret-pw@');
    const channel = await t!.call('notify.channels.create', {
      kind: 'webhook',
      name: 'Hub',
      config: { url: withCredentials },
    });
    expect(await t!.call('notify.channels.test', { id: channel.id })).toEqual({ ok: true });
    expect(hook.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`,
    );
  });

  it('delivers a signed JSON payload with an idempotency key; secrets are encrypted and redacted', async () => {
    await start();
    const channel = await webhookRule('s3cret-signing-key');
    expect(channel.config).toMatchObject({ url: hook!.url, secret: '[REDACTED]' });
    const row = await t!.app.db
      .selectFrom('notification_channels')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row.config).not.toContain('s3cret');
    expect(row.secrets_ciphertext).not.toContain('s3cret');
    expect(fs.statSync(path.join(t!.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);

    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect.poll(() => deliveries().then((d) => d[0]?.status), { timeout: 5000 }).toBe('sent');
    const [call] = hook!.received;
    const payload = JSON.parse(call!.body) as {
      type: string;
      idempotencyKey: string;
      event: { cameraName: string };
      alert: { ruleName: string };
    };
    expect(payload).toMatchObject({
      type: 'alert',
      event: { cameraName: 'Front Door' },
      alert: { ruleName: 'People' },
    });
    expect(call!.headers['idempotency-key']).toBe(payload.idempotencyKey);
    const ts = call!.headers['x-hsi-timestamp'] as string;
    expect(call!.headers['x-hsi-signature']).toBe(signature('s3cret-signing-key', ts, call!.body));
    const [d] = await deliveries();
    expect(d).toMatchObject({ attempts: 1, lastError: null });
    expect(d!.sentAt).not.toBeNull();

    // Updating with the redacted placeholder keeps the stored secret.
    await t!.call('notify.channels.update', {
      id: channel.id,
      config: { url: hook!.url, secret: '[REDACTED]', timeoutMs: 300 },
    });
    expect((await t!.app.outbox.test(channel.id)).ok).toBe(true);
    const test = hook!.received[hook!.received.length - 1]!;
    expect(test.headers['x-hsi-signature']).toBe(
      signature('s3cret-signing-key', test.headers['x-hsi-timestamp'] as string, test.body),
    );
    expect(JSON.stringify(await t!.call('notify.channels.list', {}))).not.toContain('s3cret');
  });

  it('retries 500s and timeouts with backoff, then marks the delivery dead; dead ones can be retried', async () => {
    await start();
    await webhookRule();
    hook!.script = [{ status: 500 }, { status: 503 }, { status: 500 }];
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect.poll(() => deliveries().then((d) => d[0]?.status), { timeout: 5000 }).toBe('dead');
    const [dead] = await deliveries();
    expect(dead).toMatchObject({ attempts: 3, lastError: 'HTTP 500' });
    expect(hook!.received).toHaveLength(3);
    const retried = await t!.call('notify.deliveries.retry', { id: dead!.id });
    expect(retried.status).toBe('pending');
    await expect.poll(() => deliveries().then((d) => d[0]?.status), { timeout: 5000 }).toBe('sent');
    expect(await t!.raw('notify.deliveries.retry', { id: dead!.id })).toMatchObject({
      error: { code: 'conflict' },
    });
  });

  it('a refused connection and a receiver that hangs past the timeout are retried, then dead', async () => {
    await start();
    await webhookRule();
    hook!.hang = true;
    const closed = await t!.call('notify.channels.create', {
      kind: 'webhook',
      name: 'Nobody home',
      config: { url: 'http://127.0.0.1:9/hook', timeoutMs: 300 },
    });
    await t!.call('alertRules.create', {
      name: 'Also',
      severity: 'low',
      channelIds: [closed.id],
      cooldownSeconds: 0,
    });
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect
      .poll(() => deliveries().then((d) => d.map((x) => x.status)), { timeout: 10_000 })
      .toEqual(['dead', 'dead']);
    const errors = (await deliveries()).map((d) => d.lastError).sort();
    expect(errors[0]).toMatch(/Cannot connect/);
    expect(errors[1]).toBe('No answer before the timeout');
    expect(hook!.received).toHaveLength(3);
  });

  /** A person alert whose webhook answers 429 with this Retry-After: how long it then waits. */
  async function refusedOnceWith(retryAfter: string): Promise<number> {
    await start();
    await webhookRule();
    hook!.script = [{ status: 429, headers: { 'retry-after': retryAfter } }];
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect
      .poll(() => deliveries().then((d) => d[0]?.status), { timeout: 5000 })
      .toBe('failed');
    const [waiting] = await deliveries();
    return Date.parse(waiting!.nextAttemptAt!) - Date.now();
  }

  it('honours Retry-After on 429, and gives up at once on a 4xx', async () => {
    expect(await refusedOnceWith('1')).toBeGreaterThan(500);
    await expect.poll(() => deliveries().then((d) => d[0]?.status), { timeout: 5000 }).toBe('sent');
    hook!.script = [{ status: 404 }];
    await detect(t!.app, 'front_door', [
      { objectClass: 'person', confidence: 0.95, bbox: [0.6, 0.1, 0.7, 0.4] },
    ]);
    await expect
      .poll(() => deliveries().then((d) => d.map((x) => x.status).sort()), { timeout: 5000 })
      .toEqual(['dead', 'sent']);
  });

  it('a Retry-After of a day waits an hour at most; a retry time further off (the clock moved back since) is due at once', async () => {
    const wait = await refusedOnceWith('86400');
    expect(wait).toBeGreaterThan(59 * 60_000);
    expect(wait).toBeLessThanOrEqual(3_600_000);
    // The system clock moved back two hours: the retry time now lies further off than any
    // retry is ever put.
    await t!.app.db
      .updateTable('deliveries')
      .set({ next_attempt_at: new Date(Date.now() + 2 * 3_600_000 + 5000).toISOString() })
      .execute();
    await expect.poll(() => deliveries().then((d) => d[0]?.status), { timeout: 5000 }).toBe('sent');
    expect(hook!.received).toHaveLength(2);
  });

  it('a delivery in flight at a crash is sent again after restart, with the same idempotency key', async () => {
    const dataDir = tempDir();
    await start();
    await webhookRule();
    hook!.hang = true;
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect.poll(() => hook!.received.length, { timeout: 5000 }).toBe(1);
    const key = hook!.received[0]!.headers['idempotency-key'];
    const data = t!.dataDir;
    await t!.app.close();
    // The crash: the process is gone while the row says "sending", its second attempt (the
    // last but one allowed) in flight.
    const db = new Database(path.join(data, 'hsi.sqlite'));
    db.prepare(`UPDATE deliveries SET status = 'sending', attempts = 2`).run();
    db.close();
    hook!.hang = false;
    // The receiver refuses once more after the restart, then takes it.
    hook!.script = [{ status: 500 }];
    t = await start(data);
    await expect.poll(() => deliveries().then((d) => d[0]?.status), { timeout: 5000 }).toBe('sent');
    const keys = hook!.received.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys)).toEqual(new Set([key]));
    // The attempt the crash cut off got no answer, so it did not count: a 500 after the
    // restart is retried instead of making the delivery dead.
    expect((await deliveries())[0]!.attempts).toBe(3);
    void dataDir;
  });
});

describe('email', () => {
  it('sends through a real SMTP server on loopback; a 4xx is retried, a 5xx is final', async () => {
    const messages: { from: string; to: string[]; data: string }[] = [];
    let failNext: number | undefined;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          if (failNext) {
            const code = failNext;
            failNext = undefined;
            const err = Object.assign(
              new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'),
              { responseCode: code },
            );
            callback(err);
            return;
          }
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
          });
          callback();
        });
      },
    });
    await new Promise<void>((r) => smtp!.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    await start();
    const channel = await t!.call('notify.channels.create', {
      kind: 'email',
      name: 'Me',
      config: {
        host: '127.0.0.1',
        port,
        security: 'none',
        from: 'hsi@home.test',
        to: ['me@home.test', 'partner@home.test'],
      },
    });
    expect(await t!.call('notify.channels.test', { id: channel.id })).toEqual({ ok: true });
    expect(messages[0]!.data).toContain('Subject: Home Security Intelligence: test message');
    await t!.call('alertRules.create', {
      name: 'People',
      severity: 'critical',
      channelIds: [channel.id],
      cooldownSeconds: 0,
    });
    failNext = 451;
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await expect.poll(() => deliveries().then((d) => d[0]?.status), { timeout: 5000 }).toBe('sent');
    const mail = messages[1]!;
    expect(mail.to).toEqual(['me@home.test', 'partner@home.test']);
    expect(mail.data).toMatch(/Subject: \[CRITICAL\] Front Door/);
    expect((await deliveries())[0]!.attempts).toBe(2);
    failNext = 550;
    await detect(t!.app, 'front_door', [
      { objectClass: 'person', confidence: 0.95, bbox: [0.6, 0.1, 0.7, 0.4] },
    ]);
    await expect
      .poll(() => deliveries().then((d) => d.map((x) => x.status).sort()), { timeout: 5000 })
      .toEqual(['dead', 'sent']);
    const refused = await t!.raw('notify.channels.create', {
      kind: 'email',
      name: 'Bad',
      config: { host: 'x', from: 'not-an-email', to: [] },
    });
    expect(refused).toMatchObject({ error: { code: 'invalid_input' } });
  });

  it('attaches the event snapshot to the alert email', async () => {
    const messages: string[] = [];
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          messages.push(data);
          callback();
        });
      },
    });
    await new Promise<void>((r) => smtp!.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    t = await startIngestApp();
    await t.call('cameras.create', { name: 'Porch' });
    const channel = await t.call('notify.channels.create', {
      kind: 'email',
      name: 'Me',
      config: {
        host: '127.0.0.1',
        port,
        security: 'none',
        from: 'hsi@home.test',
        to: ['me@home.test'],
      },
    });
    await t.call('alertRules.create', {
      name: 'People',
      severity: 'high',
      objectClasses: ['person'],
      channelIds: [channel.id],
    });
    writeAtomically(path.join(t.dataDir, 'ingest', 'porch', 'snap.jpg'), await jpeg(96, 72, 70));
    await expect.poll(() => messages.length, { timeout: 10_000 }).toBe(1);
    expect(messages[0]).toMatch(/Subject: \[HIGH\] Porch/);
    expect(messages[0]).toMatch(/Content-Disposition: attachment; filename=snapshot\.jpg/);
    expect(messages[0]).toContain('Content-Type: text/html');
  });
});
