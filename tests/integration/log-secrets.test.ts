import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLogFile } from '../../src-main/system';
import { createLogger } from '../../src-main/system/logger';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Every file's text below a folder. */
function textsBelow(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

describe('logs', () => {
  it('no secret reaches the log file, the logs table or the recordings after a run that used every kind', async () => {
    t = await startTestApp({ debug: true, logger: undefined, logStderr: false });
    await t.call('debug.logLevel', { level: 'trace' }); // everything, in the file at least
    const secrets = {
      webhook: 'whsec-1a2b3c4d5e6f',
      url: 'url-pw-31415926',
      smtp: 'smtp-pass-9z8y7x6w',
      apiKey: 'sk-llm-key-42424242',
      ftp: 'ftp-pass-77665544',
    };
    await t.call('cameras.create', { name: 'Yard' });
    const hook = await t.call('notify.channels.create', {
      kind: 'webhook',
      name: 'Hub',
      config: { url: `http://hook-user:${secrets.url}@127.0.0.1:9/hook`, secret: secrets.webhook },
    });
    const mail = await t.call('notify.channels.create', {
      kind: 'email',
      name: 'Mail',
      config: {
        host: '127.0.0.1',
        port: 9,
        security: 'none',
        user: 'me',
        password: secrets.smtp,
        from: 'hsi@example.com',
        to: ['me@example.com'],
        timeoutMs: 500,
      },
    });
    // Sending fails (nothing listens on port 9): the failures are logged.
    await t.call('notify.channels.test', { id: hook.id });
    await t.call('notify.channels.test', { id: mail.id });
    await t.call('system.settings.update', {
      llm: { baseUrl: `http://llm-user:${secrets.url}@127.0.0.1:9`, apiKey: secrets.apiKey },
    });
    await t.call('cameras.ftp.setPassword', { id: 'yard', password: secrets.ftp });
    // A refused call with secrets in its input.
    await t.raw('notify.channels.create', {
      kind: 'webhook',
      name: '',
      config: { url: 'nope', secret: secrets.webhook },
    });
    await t.call('debug.config', {});
    const dataDir = t.dataDir;
    await t.app.close(); // flushes the table and closes the file

    const db = new Database(path.join(dataDir, 'hsi.sqlite'), { readonly: true });
    const table = JSON.stringify(db.prepare('SELECT * FROM logs').all());
    const recordings = JSON.stringify(db.prepare('SELECT * FROM debug_recordings').all());
    db.close();
    const file = textsBelow(path.join(dataDir, 'logs'));
    expect(file.length).toBeGreaterThan(1000); // the run was logged
    expect(recordings).toContain('notify.channels.create');
    for (const [kind, secret] of Object.entries(secrets)) {
      expect(file, `${kind} in the log file`).not.toContain(secret);
      expect(table, `${kind} in the logs table`).not.toContain(secret);
      expect(recordings, `${kind} in the recordings`).not.toContain(secret);
    }
  });

  it('rotates the log file by size and keeps a bounded number of old files', () => {
    const dir = tempDir();
    const file = new RotatingLogFile(dir, 2000, 2);
    const logger = createLogger({ level: 'info', stderr: false, file });
    for (let i = 0; i < 100; i += 1) logger.info({ i, pad: 'x'.repeat(60) }, 'line');
    file.close();
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual(['hsi.log', 'hsi.log.1', 'hsi.log.2']);
    for (const name of names)
      expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(2000);
    // The newest lines are in hsi.log, complete JSON each.
    const last = fs.readFileSync(path.join(dir, 'hsi.log'), 'utf8').trim().split('\n');
    expect((JSON.parse(last.at(-1)!) as { i: number }).i).toBe(99);
  });
});
