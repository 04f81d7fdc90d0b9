import { afterEach, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../src-shared/domain';
import { FAST_BATCHES, detect } from '../helpers/events';
import type { FakeLlm } from '../helpers/llm-server';
import { startFakeLlm } from '../helpers/llm-server';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
const servers: FakeLlm[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const s of servers.splice(0)) await s.close();
});

async function llm(mode: Parameters<typeof startFakeLlm>[0] = 'good') {
  const s = await startFakeLlm(mode);
  servers.push(s);
  return s;
}

let clock = Date.parse('2026-11-28T12:00:00.000Z');
/** One person on the camera, one scored event. */
async function oneEvent(cameraId: string): Promise<SecurityEvent> {
  const count = async () => (await t!.call('events.list', {})).items.length;
  const before = await count();
  clock += 600_000;
  await detect(
    t!.app,
    cameraId,
    [{ objectClass: 'person', confidence: 0.95, bbox: [0.3, 0.2, 0.5, 0.9] }],
    new Date(clock).toISOString(),
  );
  await expect.poll(count, { timeout: 5000 }).toBe(before + 1);
  await t!.app.events.idle();
  return (await t!.call('events.list', {})).items[0]!;
}

async function start(llmSettings: Record<string, unknown>) {
  t = await startTestApp({
    settingsPatch: {
      ...FAST_BATCHES,
      llm: { enabled: true, model: 'nemotron-mini', timeoutMs: 2000, ...llmSettings },
    },
    rescoreIntervalMs: 60_000,
  });
  return (await t.call('cameras.create', { name: 'Porch' })).id;
}

describe('LLM endpoint pool', () => {
  it('fails over to the next server when one cannot answer, and keeps using the healthy one', async () => {
    const down = await llm('error500');
    const up = await llm('good');
    const camera = await start({
      baseUrl: down.url,
      endpoints: [{ baseUrl: up.url, model: 'qwen2.5-vl', apiKey: 'sk-replica' }],
    });
    for (let i = 0; i < 4; i += 1) {
      const event = await oneEvent(camera);
      expect(event).toMatchObject({ scorer: 'llm', model: 'qwen2.5-vl' });
    }
    expect(up.requests).toHaveLength(4);
    expect(up.requests.map((r) => r.body.model)).toEqual(Array(4).fill('qwen2.5-vl'));
    expect(up.requests[0]!.authorization).toBe('Bearer sk-replica');
    // The failing one is asked until its breaker opens (3 failures), then left alone.
    expect(down.requests.length).toBe(3);

    // The replica's key reads back redacted and, sent back so, is kept.
    const shown = await t!.call('system.settings.get', {});
    expect(shown.llm.endpoints[0]).toMatchObject({ baseUrl: up.url, apiKey: '[REDACTED]' });
    await t!.call('system.settings.update', { llm: { endpoints: shown.llm.endpoints } });
    expect(t!.app.settings.get().llm.endpoints[0]!.apiKey).toBe('sk-replica');
  });

  it('spreads analyses over healthy servers in turn; with none answering the rules score', async () => {
    const a = await llm('good');
    const b = await llm('good');
    const camera = await start({
      baseUrl: a.url,
      endpoints: [{ baseUrl: b.url }],
      balance: 'round-robin',
    });
    for (let i = 0; i < 4; i += 1) await oneEvent(camera);
    expect([a.requests.length, b.requests.length]).toEqual([2, 2]);

    // Both down: each is asked, then the rules score the event.
    a.mode = 'error500';
    b.mode = 'error500';
    const before = [a.requests.length, b.requests.length];
    const event = await oneEvent(camera);
    expect(event.scorer).toBe('rules');
    expect(a.requests.length).toBeGreaterThan(before[0]!);
    expect(b.requests.length).toBeGreaterThan(before[1]!);
  });
});
