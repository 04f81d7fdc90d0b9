import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../src-shared/contract';
import type { RpcResult } from '../../src-shared/errors';
import type { App } from '../../src-main/app/compose';
import { createApp } from '../../src-main/app/compose';
import type { AppConfig } from '../../src-main/app/config';
import { createLogger } from '../../src-main/system/logger';

export function tempDir(prefix = 'hsi-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestApp {
  app: App;
  dataDir: string;
  /** Calls a channel through the router, like a transport does. */
  call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  raw(channel: string, input: unknown): Promise<RpcResult<unknown>>;
  close(): Promise<void>;
}

/** The real app (real SQLite file) in a fresh temp data dir; ingest off unless asked for. */
export async function startTestApp(config: Partial<AppConfig> = {}): Promise<TestApp> {
  const dataDir = config.dataDir ?? tempDir();
  const app = await createApp({
    logger: createLogger({ level: 'silent' }),
    ingest: false,
    // Machine samples only when a test takes them.
    telemetrySampleMs: 0,
    ...config,
    dataDir,
  });
  const raw = (channel: string, input: unknown) =>
    app.router.invoke(channel, input, { transport: 'internal' });
  return {
    app,
    dataDir,
    raw,
    async call(channel, input) {
      const r = await raw(channel, input);
      if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`);
      return r.data as never;
    },
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
