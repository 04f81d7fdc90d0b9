import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { freePort } from '../helpers/http';
import { tempDir } from '../helpers/temp-app';
import { openAt } from './app-db';
import { expect, test } from './fixtures';

/** Debian's Mosquitto (`apt-get install mosquitto`); CI has it, so there it must run. */
const MOSQUITTO = '/usr/sbin/mosquitto';
const noBroker = !fs.existsSync(MOSQUITTO) && !process.env.CI;

interface Broker {
  url: string;
  dir: string;
  process: ChildProcess;
}

/** Mosquitto on a free loopback port, waited for by the line that says it listens there. */
async function startBroker(): Promise<Broker> {
  const dir = tempDir('hsi-e2e-mosquitto-');
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    // stderr: its stdout is block-buffered into a pipe, so the line would come only at exit.
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr']
      .map((line) => `${line}\n`)
      .join(''),
  );
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mosquitto did not start:\n${log}`)), 15_000);
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes(`listen socket on port ${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}:\n${log}`)));
    });
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  return { url: `mqtt://127.0.0.1:${port}`, dir, process: child };
}

async function stopBroker(broker: Broker): Promise<void> {
  const child = broker.process;
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  fs.rmSync(broker.dir, { recursive: true, force: true });
}

interface Received {
  topic: string;
  text: string;
  retain: boolean;
}

/** An MQTT.js client that records what arrives on its topics. */
class Subscriber {
  readonly messages: Received[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, text: payload.toString('utf8'), retain: packet.retain });
      for (const wake of [...this.waiters]) wake();
    });
  }

  static async connect(url: string, topics: string[]): Promise<Subscriber> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const subscriber = new Subscriber(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return subscriber;
  }

  /** The first message from index `from` on that matches, as soon as it is there. */
  waitFor(match: (m: Received) => boolean, what: string, from = 0): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(from).find(match);
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const topics = this.messages.slice(from).map((m) => m.topic);
        reject(new Error(`No ${what} within 10 s; received: ${topics.join(', ') || 'nothing'}`));
      }, 10_000);
      this.waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

let broker: Broker | undefined;
const subscribers: Subscriber[] = [];

test.beforeEach(async ({}, testInfo) => {
  testInfo.skip(noBroker, `No MQTT broker: ${MOSQUITTO} is missing (apt-get install mosquitto)`);
  broker = await startBroker();
});

test.afterEach(async () => {
  for (const s of subscribers.splice(0)) await s.close();
  if (broker) await stopBroker(broker);
  broker = undefined;
});

async function subscribe(topics: string[]): Promise<Subscriber> {
  const s = await Subscriber.connect(broker!.url, topics);
  subscribers.push(s);
  return s;
}

/**
 * axe-core's serious and critical WCAG 2.1 AA violations on the page as it rests (the pointer
 * moved off, so no hover state is judged).
 */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.mouse.move(0, 0);
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
}

test('MQTT: tested, turned on and connected from Settings → Integrations; discovery and an alert channel reach a subscriber', async ({
  page,
  hsi,
}) => {
  const url = broker!.url;
  const watcher = await subscribe(['hsi/#', 'homeassistant/#', 'home/alerts']);

  await openAt(page, hsi, '#/settings/integrations');
  await expect(page.getByRole('link', { name: 'Integrations' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  const form = page.getByRole('form', { name: 'MQTT and Home Assistant' });
  await expect(page.getByTestId('mqtt-state')).toHaveText('Off');
  await expect(page.getByText('Turn MQTT on and save to see messages here.')).toBeVisible();

  // Tried as typed, before anything is saved.
  await form.getByLabel('Broker address').fill(url);
  await expect(form.getByLabel('Client id')).toHaveAttribute('placeholder', 'chosen at start');
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByTestId('mqtt-test-status')).toHaveText(
    new RegExp(`^Connected to ${url.replace(/\./g, '\\.')} in \\d+ ms$`),
  );

  await form.getByLabel('MQTT enabled').check();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText('MQTT settings saved')).toBeVisible();
  await expect(page.getByTestId('mqtt-state')).toHaveText(/^Connected since /);

  // The availability topic is retained: a subscriber that comes later gets it from the broker.
  await watcher.waitFor(
    (m) => m.topic === 'hsi/available' && m.text === 'online',
    'hsi/available online',
  );
  const late = await subscribe(['hsi/available', 'homeassistant/device/+/config']);
  const available = await late.waitFor(
    (m) => m.topic === 'hsi/available',
    'retained hsi/available',
  );
  expect(available).toMatchObject({ text: 'online', retain: true });
  const discovery = await late.waitFor(
    (m) => /^homeassistant\/device\/[^/]+\/config$/.test(m.topic),
    'Home Assistant discovery config',
  );
  expect(discovery.retain).toBe(true);
  const config = JSON.parse(discovery.text) as Record<string, unknown>;
  expect(config).toHaveProperty('dev');
  expect(config).toHaveProperty('o');
  expect(config).toHaveProperty('cmps');

  // The log lists what the app publishes once connected (hsi/available's "online" is sent by
  // the connection itself and is not in it).
  const messages = page.getByRole('table', { name: 'Last messages' });
  const row = (topic: string) =>
    messages
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: topic, exact: true }) })
      .first();
  await expect(row('hsi/intake/state')).toContainText('Out');
  await expect(row(discovery.topic)).toContainText('Sent, retained');
  expect(await seriousViolations(page)).toEqual([]);

  // An MQTT notification channel publishes its test through the same connection.
  await openAt(page, hsi, '#/settings/notifications');
  const channelForm = page.getByRole('form', { name: 'Channel form' });
  await channelForm.getByLabel('Kind').selectOption({ label: 'MQTT' });
  await expect(channelForm.getByTestId('mqtt-channel-help')).toContainText(
    "Publishes each alert's JSON",
  );
  await channelForm.getByLabel('Name', { exact: true }).fill('Home alerts');
  await channelForm.getByLabel('Topic').fill('home/alerts');
  expect(await seriousViolations(page)).toEqual([]);
  await channelForm.getByRole('button', { name: 'Save' }).click();
  const channel = page.locator('[data-testid^="channel-row-"]').filter({ hasText: 'Home alerts' });
  await expect(channel).toContainText('MQTT');
  await expect(channel).toContainText('home/alerts');
  const from = watcher.messages.length;
  await channel.getByRole('button', { name: 'Test Home alerts' }).click();
  await expect(channel.getByRole('status')).toHaveText('Test sent');
  const alert = await watcher.waitFor(
    (m) => m.topic === 'home/alerts',
    'test alert on home/alerts',
    from,
  );
  expect((JSON.parse(alert.text) as { type: string }).type).toBe('test');
  expect(alert.retain).toBe(false);
});
