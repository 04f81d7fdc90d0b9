import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { freePort } from './http';
import { tempDir } from './temp-app';

/** Debian's Mosquitto broker (`apt-get install mosquitto`; CI installs it). */
export const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';
export const hasMosquitto = fs.existsSync(MOSQUITTO);
/** Outside CI a machine without the broker skips the MQTT tests; in CI they must run. */
export const skipMqtt = !hasMosquitto && !process.env.CI;

export interface Broker {
  port: number;
  url: string;
  /** Stops it (SIGTERM: a persistent broker saves its sessions). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same configuration. */
  start(): Promise<void>;
}

/**
 * A real Mosquitto on a free loopback port, started from a config file in a temp folder and
 * waited for by its "running" log line. `users` turns anonymous access off (a password file);
 * `persistence` keeps subscribers' sessions across a restart.
 */
export async function startBroker(
  o: { users?: Record<string, string>; persistence?: boolean } = {},
): Promise<Broker> {
  const dir = tempDir('hsi-mosquitto-');
  const port = await freePort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    // Unbuffered (stdout to a pipe is block-buffered), so its "running" line arrives at once.
    `log_dest stderr`,
    // Run as root (CI), it would switch to the mosquitto user, who cannot read this folder.
    `user ${os.userInfo().username}`,
    `log_type error`,
    `log_type warning`,
    `log_type notice`,
    `log_type information`,
    `persistence ${o.persistence ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
  ];
  if (o.users) {
    const file = path.join(dir, 'passwords');
    for (const [i, [user, password]] of Object.entries(o.users).entries()) {
      const r = spawnSync('mosquitto_passwd', [
        ...(i === 0 ? ['-c'] : []),
        '-b',
        file,
        user,
        password,
      ]);
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${String(r.stderr)}`);
    }
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(conf, `${lines.join('\n')}\n`);

  let child: ChildProcess | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`mosquitto did not start:\n${out}`)), 15_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (/mosquitto version \S+ running/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto exited with ${code}:\n${out}`));
      });
    });
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };
  await start();
  return { port, url: `mqtt://127.0.0.1:${port}`, stop, start };
}

export interface Received {
  topic: string;
  payload: Buffer;
  text: string;
  retain: boolean;
}

/** An MQTT.js client subscribed to some topics, recording what arrives. */
export class Subscriber {
  readonly messages: Received[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload, text: payload.toString('utf8'), retain: packet.retain });
      for (const wake of this.waiters) wake();
    });
  }

  static async connect(
    url: string,
    topics: string[],
    options: IClientOptions = {},
  ): Promise<Subscriber> {
    const client = await mqtt.connectAsync(url, {
      clientId: `test-${Math.random().toString(16).slice(2)}`,
      reconnectPeriod: 100,
      ...options,
    });
    const s = new Subscriber(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return s;
  }

  /** The first message from index `from` on that matches, waiting for it if need be. */
  waitFor(
    match: (m: Received) => boolean,
    o: { from?: number; timeoutMs?: number; what?: string } = {},
  ): Promise<Received> {
    const from = o.from ?? 0;
    const find = () => this.messages.slice(from).find(match);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const m = find();
        if (!m) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(m);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(
          new Error(
            `no ${o.what ?? 'matching message'} within ${o.timeoutMs ?? 15_000} ms; got: ${this.messages
              .slice(from)
              .map((m) => m.topic)
              .join(', ')}`,
          ),
        );
      }, o.timeoutMs ?? 15_000);
      this.waiters.add(wake);
    });
  }

  /** Messages on a topic from index `from` on. */
  on(topic: string, from = 0): Received[] {
    return this.messages.slice(from).filter((m) => m.topic === topic);
  }

  publish(topic: string, payload: string | Buffer, retain = false): Promise<unknown> {
    return this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
