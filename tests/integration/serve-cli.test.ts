import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import { startFakeLlm } from '../helpers/llm-server';
import { startServe } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp-app';

describe('hsi serve', () => {
  it('prints the listening line, writes bridge.json 0600, answers, and exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const settingsFile = path.join(dataDir, 'overrides.json');
    fs.writeFileSync(settingsFile, JSON.stringify({ batching: { windowSeconds: 0.2 } }));
    // Its own models folder (a manifest of one model) and a language model server to find.
    const modelsDir = tempDir('hsi-models-');
    const manifest = {
      models: [{ name: 'tiny', family: 'yolox', file: 'tiny.onnx', url: 'http://127.0.0.1:9/t' }],
    };
    fs.writeFileSync(path.join(modelsDir, 'models.json'), JSON.stringify(manifest));
    const llm = await startFakeLlm('good');
    const serve = await startServe([
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--settings',
      settingsFile,
      '--models-dir',
      modelsDir,
      '--llm-port',
      `My server=${new URL(llm.url).port}`,
    ]);
    const bridgeFile = path.join(dataDir, 'bridge.json');
    const bridge = JSON.parse(fs.readFileSync(bridgeFile, 'utf8')) as Record<string, unknown>;
    expect(bridge).toMatchObject({ url: serve.url, token: serve.token, pid: serve.child.pid });
    expect(fs.statSync(bridgeFile).mode & 0o777).toBe(0o600);
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const res = await request(`${serve.url}/api/rpc/system.settings.get`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.token}` },
      body: '{}',
    });
    expect(
      res.json<{ data: { batching: { windowSeconds: number } } }>().data.batching.windowSeconds,
    ).toBe(0.2);
    const call = async (channel: string) =>
      (
        await request(`${serve.url}/api/rpc/${channel}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${serve.token}` },
          body: '{}',
        })
      ).json<{ data: { name: string }[] }>().data;
    expect((await call('detector.models')).map((m) => m.name)).toEqual(['tiny']);
    expect(await call('llm.detect')).toEqual([
      { name: 'My server', baseUrl: llm.url, models: ['nemotron-mini', 'qwen2.5-vl'] },
    ]);
    await llm.close();

    expect(await serve.stop()).toBe(0);
    expect(fs.existsSync(bridgeFile)).toBe(false);
  }, 60_000);

  it('refuses bad flags with a clear message and exit code 2', async () => {
    await expect(startServe(['--port', 'abc', '--data-dir', tempDir()])).rejects.toThrow(
      /invalid --port abc/,
    );
    await expect(startServe(['--bogus'])).rejects.toThrow(/Unknown option '--bogus'/);
    await expect(
      startServe(['--llm-port', 'Ollama:11434', '--data-dir', tempDir()]),
    ).rejects.toThrow(/invalid --llm-port Ollama:11434 \(use NAME=PORT\)/);
  }, 60_000);
});
