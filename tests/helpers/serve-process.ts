import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SettingsPatch } from '../../src-shared/settings';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  token: string;
  stderr: () => string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `hsi serve` as a real child process and waits for its listening line. */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'hsi.js'), 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, HSI_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      if (signal) err += `\n(ended by ${signal})`;
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${err}`)), 30_000);
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${err}`));
    };
    child.once('exit', onEarlyExit);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /HSI listening on (http:\/\/[^/\s]+)\/\?token=([0-9a-f]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      resolve({
        child,
        url: m[1]!,
        token: m[2]!,
        stderr: () => err,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/**
 * `hsi serve` on `dataDir` with `settings`, written to a file beside it: returns the starter,
 * which may be called again to start afresh on the same data (after a kill or a stop).
 */
export function serveOn(
  dataDir: string,
  settings: SettingsPatch,
  env: NodeJS.ProcessEnv = {},
): () => Promise<ServeProcess> {
  const settingsFile = `${dataDir}-settings.json`;
  fs.writeFileSync(settingsFile, JSON.stringify(settings));
  return () => startServe(['--data-dir', dataDir, '--port', '0', '--settings', settingsFile], env);
}

/** Calls a channel of a running `hsi serve` over HTTP; its data, or an error with its message. */
export async function callServe<T = unknown>(
  serve: Pick<ServeProcess, 'url' | 'token'>,
  channel: string,
  input: unknown = {},
): Promise<T> {
  const res = await fetch(`${serve.url}/api/rpc/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; data?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
  return body.data as T;
}
