import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client, FTPError } from 'basic-ftp';
import { afterEach, describe, expect, it } from 'vitest';
import { startFtpServer } from '../../src-main/ingest/ftp-server';
import type { FtpAccount, FtpIngestServer } from '../../src-main/ingest/ftp-server';
import { createLogger } from '../../src-main/system/logger';
import type { Logger } from '../../src-main/system/logger';

interface Upload {
  account: FtpAccount;
  filePath: string;
}

interface Harness {
  server: FtpIngestServer;
  uploads: Upload[];
  front: FtpAccount;
  back: FtpAccount;
  /** Parent of the camera folders: a naive path join would let `../..` land here. */
  parent: string;
  setPaused(paused: boolean): void;
}

/** Polls return as soon as they pass; the ceiling only matters on a loaded machine. */
const POLL = { timeout: 5000, interval: 10 };

const PASSWORDS: Record<string, string> = { front: 'front-secret-1', back: 'back-secret-2' };

let servers: FtpIngestServer[] = [];
let clients: Client[] = [];
let dirs: string[] = [];
let sockets: net.Socket[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => server.close()));
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  servers = [];
  clients = [];
  dirs = [];
  sockets = [];
});

async function startHarness(logger: Logger = createLogger({ level: 'silent' })): Promise<Harness> {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'hsi-ftp-'));
  dirs.push(parent);
  const front: FtpAccount = { cameraId: 'cam-front', folder: path.join(parent, 'cams', 'front') };
  const back: FtpAccount = { cameraId: 'cam-back', folder: path.join(parent, 'cams', 'back') };
  const accounts = new Map([
    ['front', front],
    ['back', back],
  ]);
  const uploads: Upload[] = [];
  let paused = false;
  const server = await startFtpServer({
    host: '127.0.0.1',
    port: 0,
    authenticate: (user, password) => {
      const account = accounts.get(user);
      return Promise.resolve(account && PASSWORDS[user] === password ? account : null);
    },
    onUpload: (account, filePath) => uploads.push({ account, filePath }),
    isPaused: () => paused,
    logger,
  });
  servers.push(server);
  return { server, uploads, front, back, parent, setPaused: (value) => (paused = value) };
}

async function connect(server: FtpIngestServer, user: string, password = PASSWORDS[user] ?? '') {
  const client = new Client(5000);
  clients.push(client);
  await client.access({ host: server.host, port: server.port, user, password });
  return client;
}

function payload(size: number, fill = 7): Buffer {
  return Buffer.alloc(size, fill);
}

async function ftpErrorCode(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(FTPError);
  return (error as FTPError).code;
}

function rawConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Minimal FTP control channel: send a line, wait for the reply with the expected code. */
class RawControl {
  private buffer = '';
  constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.buffer += chunk));
  }

  async expect(code: number): Promise<string> {
    let line = '';
    await expect
      .poll(() => {
        const match = /^(\d{3}) .*\r\n/m.exec(this.buffer);
        line = match?.[0] ?? '';
        return match?.[1];
      }, POLL)
      .toBe(String(code));
    this.buffer = this.buffer.slice(this.buffer.indexOf(line) + line.length);
    return line;
  }

  command(line: string, code: number): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.expect(code);
  }
}

function openDescriptorsFor(file: string): number {
  const real = fs.realpathSync(file);
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(path.join('/proc/self/fd', fd)) === real;
    } catch {
      return false;
    }
  }).length;
}

describe('FTP intake server', () => {
  it('stores uploads in the camera folder (and dated sub-folders) and reports each once', async () => {
    const h = await startHarness();
    expect(h.server.port).toBeGreaterThan(0);

    const front = await connect(h.server, 'front');
    const data = payload(20_000);
    await front.uploadFrom(Readable.from(data), 'a.jpg');
    const aPath = path.join(h.front.folder, 'a.jpg');
    expect(fs.readFileSync(aPath).equals(data)).toBe(true);
    expect(h.uploads).toEqual([{ account: h.front, filePath: aPath }]);

    await front.ensureDir('snap/2024-05-01');
    const small = payload(300, 3);
    await front.uploadFrom(Readable.from(small), 'b.jpg');
    const bPath = path.join(h.front.folder, 'snap', '2024-05-01', 'b.jpg');
    expect(fs.readFileSync(bPath).equals(small)).toBe(true);

    const back = await connect(h.server, 'back');
    await back.uploadFrom(Readable.from(payload(1000, 9)), 'c.jpg');
    const cPath = path.join(h.back.folder, 'c.jpg');
    expect(fs.statSync(cPath).size).toBe(1000);
    expect(fs.existsSync(path.join(h.front.folder, 'c.jpg'))).toBe(false);

    expect(h.uploads).toEqual([
      { account: h.front, filePath: aPath },
      { account: h.front, filePath: bPath },
      { account: h.back, filePath: cPath },
    ]);
  });

  it('rejects a wrong password or unknown user with 530 and reports nothing', async () => {
    const h = await startHarness();
    expect(await ftpErrorCode(connect(h.server, 'front', 'wrong'))).toBe(530);
    expect(await ftpErrorCode(connect(h.server, 'nobody', 'front-secret-1'))).toBe(530);
    expect(await ftpErrorCode(connect(h.server, 'back', PASSWORDS.front))).toBe(530);
    expect(h.uploads).toEqual([]);
    expect(fs.readdirSync(h.parent)).toEqual([]);
  });

  it('keeps relative and absolute paths inside the camera folder', async () => {
    const h = await startHarness();
    const client = await connect(h.server, 'front');

    await client.uploadFrom(Readable.from(payload(10)), '../../escape.jpg');
    expect(fs.existsSync(path.join(h.parent, 'escape.jpg'))).toBe(false);
    expect(fs.existsSync(path.join(h.parent, 'cams', 'escape.jpg'))).toBe(false);
    expect(fs.existsSync(path.join(h.front.folder, 'escape.jpg'))).toBe(true);

    // The absolute path maps under the jail, where that folder does not exist: refused.
    const outside = path.join(h.parent, 'outside.jpg');
    expect(await ftpErrorCode(client.uploadFrom(Readable.from(payload(10)), outside))).toBe(550);
    expect(fs.existsSync(outside)).toBe(false);

    await client.cd('../..');
    expect(await client.pwd()).toBe('/');
    await client.uploadFrom(Readable.from(payload(10)), 'root.jpg');
    expect(fs.existsSync(path.join(h.front.folder, 'root.jpg'))).toBe(true);

    expect(h.uploads.map((u) => u.filePath)).toEqual([
      path.join(h.front.folder, 'escape.jpg'),
      path.join(h.front.folder, 'root.jpg'),
    ]);
    expect(fs.readdirSync(h.parent)).toEqual(['cams']);
    expect(fs.readdirSync(path.join(h.parent, 'cams')).sort()).toEqual(['front']);
  });

  it('answers 450 while paused without writing, and accepts the retry after resuming', async () => {
    const h = await startHarness();
    const client = await connect(h.server, 'front');
    const target = path.join(h.front.folder, 'p.jpg');

    h.setPaused(true);
    expect(await ftpErrorCode(client.uploadFrom(Readable.from(payload(5000)), 'p.jpg'))).toBe(450);
    expect(await ftpErrorCode(client.appendFrom(Readable.from(payload(5000)), 'p.jpg'))).toBe(450);
    expect(fs.existsSync(target)).toBe(false);
    expect(h.uploads).toEqual([]);

    h.setPaused(false);
    await client.uploadFrom(Readable.from(payload(5000)), 'p.jpg');
    expect(fs.statSync(target).size).toBe(5000);
    expect(h.uploads).toEqual([{ account: h.front, filePath: target }]);
  });

  it('survives an upload cut off mid-file and reports the truncated file once', async () => {
    const h = await startHarness();
    const client = await connect(h.server, 'front');
    const intended = 200_000;
    const target = path.join(h.front.folder, 'cut.jpg');

    // Pushes the first quarter, then never ends: the camera "dies" mid-transfer.
    let pushed = false;
    const slow = new Readable({
      read() {
        if (!pushed) {
          pushed = true;
          this.push(payload(intended / 4, 1));
        }
      },
    });
    const upload = client.uploadFrom(slow, 'cut.jpg').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    await expect
      .poll(() => (fs.existsSync(target) ? fs.statSync(target).size : 0), POLL)
      .toBeGreaterThan(0);
    client.close();
    expect(await upload).toBeInstanceOf(Error);

    // The server stays healthy for the next camera connection.
    const next = await connect(h.server, 'front');
    await next.uploadFrom(Readable.from(payload(100)), 'after.jpg');
    const afterPath = path.join(h.front.folder, 'after.jpg');
    await expect.poll(() => h.uploads.some((u) => u.filePath === afterPath), POLL).toBe(true);

    // FTP stream mode marks end-of-file by closing the data connection, so ftp-srv takes the
    // data socket's FIN for a complete upload: it ends the file, emits STOR success and
    // answers 226 to nobody. (Its STOR event can be lost when the control socket's close wins
    // the race, so the server reports from the file stream instead.) The truncated file is
    // reported like any other; the app must check image integrity itself.
    const cutReports = h.uploads.filter((u) => u.filePath === target);
    expect(cutReports).toEqual([{ account: h.front, filePath: target }]);
    const size = fs.statSync(target).size;
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(intended);
  });

  it('closes the file and reports nothing when the control connection dies mid-transfer', async () => {
    const h = await startHarness();
    const target = path.join(h.front.folder, 'abort.jpg');
    // Raw sockets: a camera that loses its control connection while the data socket never
    // sends FIN (basic-ftp cannot do that). ftp-srv then tears the data socket down itself.
    const control = new RawControl(await rawConnect(h.server.port));
    sockets.push(control.socket);
    await control.expect(220);
    await control.command('USER front', 331);
    await control.command(`PASS ${PASSWORDS.front}`, 230);
    const epsv = await control.command('EPSV', 229);
    const dataPort = Number(/\|\|\|(\d+)\|/.exec(epsv)?.[1]);
    const data = await rawConnect(dataPort);
    sockets.push(data);
    await control.command('STOR abort.jpg', 150);
    data.write(payload(30_000));
    await expect
      .poll(() => (fs.existsSync(target) ? fs.statSync(target).size : 0), POLL)
      .toBe(30_000);

    control.socket.destroy();
    if (process.platform === 'linux') {
      // Without the close-on-abort hook ftp-srv keeps the file descriptor open forever.
      await expect.poll(() => openDescriptorsFor(target), POLL).toBe(0);
    }
    await expect.poll(() => data.destroyed || data.readableEnded, POLL).toBe(true);

    const next = await connect(h.server, 'front');
    await next.uploadFrom(Readable.from(payload(100)), 'after.jpg');
    expect(h.uploads).toEqual([
      { account: h.front, filePath: path.join(h.front.folder, 'after.jpg') },
    ]);
  });

  it('refuses deleting, renaming, removing folders and SITE commands', async () => {
    const h = await startHarness();
    const client = await connect(h.server, 'front');
    await client.uploadFrom(Readable.from(payload(10)), 'keep.jpg');
    await client.ensureDir('/snap');
    await client.cd('/');
    const keep = path.join(h.front.folder, 'keep.jpg');

    expect(await ftpErrorCode(client.remove('keep.jpg'))).toBe(502);
    expect(await ftpErrorCode(client.send('RNFR keep.jpg'))).toBe(502);
    expect(await ftpErrorCode(client.rename('keep.jpg', 'moved.jpg'))).toBe(502);
    expect(await ftpErrorCode(client.removeEmptyDir('snap'))).toBe(502);
    expect(await ftpErrorCode(client.send('SITE CHMOD 777 keep.jpg'))).toBe(502);
    expect(
      await ftpErrorCode(client.downloadTo(fs.createWriteStream(os.devNull), 'keep.jpg')),
    ).toBe(502);

    expect(fs.existsSync(keep)).toBe(true);
    expect(fs.existsSync(path.join(h.front.folder, 'moved.jpg'))).toBe(false);
    expect(fs.statSync(path.join(h.front.folder, 'snap')).isDirectory()).toBe(true);
  });

  it('never logs passwords, even at trace level', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'trace',
      stderr: false,
      sink: { write: (line) => void lines.push(line) },
      sinkLevel: 'trace',
    });
    const h = await startHarness(logger);
    const client = await connect(h.server, 'front');
    await client.uploadFrom(Readable.from(payload(10)), 'x.jpg');
    await ftpErrorCode(connect(h.server, 'back', 'typo-secret'));

    expect(lines.some((line) => line.includes('"PASS'))).toBe(true);
    expect(lines.some((line) => line.includes('FTP login rejected'))).toBe(true);
    const leaked = lines.filter(
      (line) => line.includes(PASSWORDS.front!) || line.includes('typo-secret'),
    );
    expect(leaked).toEqual([]);
  });

  it('close() disconnects clients, stops listening and leaves no signal handlers', async () => {
    const sigterm = process.listenerCount('SIGTERM');
    const h = await startHarness();
    expect(process.listenerCount('SIGTERM')).toBe(sigterm);
    const client = await connect(h.server, 'front');

    await h.server.close();
    await h.server.close();
    await expect.poll(() => client.closed, POLL).toBe(true);
    await expect(connect(h.server, 'front')).rejects.toThrow();
  });
});
