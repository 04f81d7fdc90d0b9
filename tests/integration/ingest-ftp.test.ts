import path from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'basic-ftp';
import { afterEach, describe, expect, it } from 'vitest';
import { jpeg } from '../helpers/images';
import { startIngestApp } from '../helpers/ingest-app';
import type { TestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t?.close();
  t = undefined;
});

async function connect(user: string, password: string) {
  const client = new Client(5000);
  clients.push(client);
  const addr = t!.app.ingestRuntime.ftpAddress()!;
  await client.access({ host: addr.host, port: addr.port, user, password });
  return client;
}

describe('embedded FTP endpoint', () => {
  it('a camera uploads with its own password; the image is processed without the stability wait', async () => {
    // A long stability wait: only the FTP completion path can be this quick.
    t = await startIngestApp({
      settings: {
        ingest: { stabilitySeconds: 30, ftp: { enabled: true, host: '127.0.0.1', port: 0 } },
      },
    });
    await t.call('cameras.create', { name: 'Front Door' });
    const creds = await t.call('cameras.ftp.setPassword', { id: 'front_door' });
    expect(creds).toMatchObject({ user: 'front_door', enabled: true, host: '127.0.0.1' });
    expect(creds.port).toBeGreaterThan(0);
    expect(creds.password).toMatch(/^[A-Za-z0-9]{20}$/);
    const row = await t.app.db
      .selectFrom('cameras')
      .select('ftp_password_hash')
      .executeTakeFirstOrThrow();
    expect(row.ftp_password_hash).toMatch(/^scrypt\$/);
    expect(row.ftp_password_hash).not.toContain(creds.password);
    expect((await t.call('cameras.get', { id: 'front_door' })).ftpUser).toBe('front_door');

    await expect(connect('front_door', 'wrong-password')).rejects.toMatchObject({ code: 530 });

    const client = await connect('front_door', creds.password);
    await client.ensureDir('snap');
    await client.uploadFrom(Readable.from(await jpeg(128, 96, 40)), 'MDAlarm_20261125.jpg');
    await expect
      .poll(() => t!.call('ingest.status', {}).then((s) => s.processed), { timeout: 5000 })
      .toBe(1);
    const page = await t.call('detections.list', { cameraId: 'front_door' });
    expect(page.items[0]!.imagePath).toBe(
      path.join(t.dataDir, 'ingest', 'front_door', 'snap', 'MDAlarm_20261125.jpg'),
    );
  });

  it('answers a temporary failure while intake is paused, so cameras retry', async () => {
    t = await startIngestApp({
      model: null,
      settings: {
        ingest: { highWater: 1, lowWater: 0, ftp: { enabled: true, host: '127.0.0.1', port: 0 } },
      },
    });
    await t.call('cameras.create', { name: 'Gate' });
    const { password } = await t.call('cameras.ftp.setPassword', {
      id: 'gate',
      password: 'gate-secret-1',
    });
    const client = await connect('gate', password);
    await client.uploadFrom(Readable.from(await jpeg(64, 64, 41)), 'one.jpg');
    await expect
      .poll(() => t!.call('ingest.status', {}).then((s) => s.paused), { timeout: 5000 })
      .toBe(true);
    await expect(
      client.uploadFrom(Readable.from(await jpeg(64, 64, 42)), 'two.jpg'),
    ).rejects.toMatchObject({
      code: 450,
    });
  });

  it('a cut-off upload is quarantined, not processed', async () => {
    t = await startIngestApp({
      settings: {
        ingest: { stabilitySeconds: 30, ftp: { enabled: true, host: '127.0.0.1', port: 0 } },
      },
    });
    await t.call('cameras.create', { name: 'Shed' });
    const { password } = await t.call('cameras.ftp.setPassword', { id: 'shed' });
    const client = await connect('shed', password);
    const full = await jpeg(200, 150, 43);
    // FTP stream mode cannot tell a closed data connection from the end of the file.
    await client.uploadFrom(
      Readable.from(full.subarray(0, Math.floor(full.length / 2))),
      'cut.jpg',
    );
    await expect
      .poll(() => t!.call('ingest.status', {}).then((s) => s.quarantined), { timeout: 5000 })
      .toBe(1);
    expect((await t.call('ingest.status', {})).processed).toBe(0);
  });
});
