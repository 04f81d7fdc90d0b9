import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttStatus } from '../../src-shared/mqtt';
import type { SettingsPatch } from '../../src-shared/settings';
import { FAST_BATCHES, detect, peopleRule } from '../helpers/events';
import { jpeg } from '../helpers/images';
import { startIngestApp, writeAtomically } from '../helpers/ingest-app';
import type { Broker } from '../helpers/mosquitto';
import { Subscriber, skipMqtt, startBroker } from '../helpers/mosquitto';
import { startServe } from '../helpers/serve-process';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp | undefined;
let broker: Broker | undefined;
const subscribers: Subscriber[] = [];

afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const s of subscribers.splice(0)) await s.close();
  await broker?.stop();
  broker = undefined;
});

async function subscribe(topics: string[], options = {}): Promise<Subscriber> {
  const s = await Subscriber.connect(broker!.url, topics, options);
  subscribers.push(s);
  return s;
}

function mqttSettings(extra: Record<string, unknown> = {}): SettingsPatch {
  return { mqtt: { enabled: true, url: broker!.url, ...extra } };
}

/** Resolves once the app's MQTT status matches (pushed on every change). */
function statusWhen(app: TestApp, match: (s: MqttStatus) => boolean): Promise<MqttStatus> {
  return new Promise((resolve) => {
    const off = app.app.bus.on('mqtt.changed', (s) => {
      if (match(s)) {
        off();
        resolve(s);
      }
    });
    void app.call('mqtt.status', {}).then((s) => {
      if (match(s)) {
        off();
        resolve(s);
      }
    });
  });
}

/** A camera "Porch" whose people alert (high) through an MQTT channel on `home/alerts`. */
async function peopleAlertsToMqtt(app: TestApp) {
  const camera = await app.call('cameras.create', { name: 'Porch' });
  const channel = await app.call('notify.channels.create', {
    kind: 'mqtt',
    name: 'Home hub',
    config: { topic: 'home/alerts' },
  });
  await app.call('alertRules.create', peopleRule([channel.id]));
  return camera;
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe.skipIf(skipMqtt)('MQTT against a real Mosquitto broker', () => {
  it('publishes Home Assistant discovery, retained and valid; again when Home Assistant comes online; removes a deleted camera', async () => {
    broker = await startBroker();
    const early = await subscribe(['homeassistant/#', 'hsi/#']);
    t = await startTestApp({ settingsPatch: mqttSettings() });
    const camera = await t.call('cameras.create', { name: 'Front Door' });
    const cameraConfig = `homeassistant/device/hsi_${camera.id}/config`;
    await early.waitFor((m) => m.topic === cameraConfig, { what: 'camera discovery' });
    const stats = json((await early.waitFor((m) => m.topic === 'hsi/stats')).text);
    expect(stats).toMatchObject({
      imagesWaiting: 0,
      intakePaused: false,
      detector: expect.any(String),
      mqttQueued: 0,
      mqttDropped: 0,
    });

    // Test connection: this broker answers, a closed port is a clear error.
    expect(await t.call('mqtt.test', {})).toMatchObject({
      url: broker.url,
      latencyMs: expect.any(Number),
    });
    expect(await t.raw('mqtt.test', { url: 'mqtt://127.0.0.1:1' })).toMatchObject({
      ok: false,
      error: {
        code: 'unavailable',
        message: expect.stringContaining('Cannot connect to mqtt://127.0.0.1:1'),
      },
    });
    expect(await t.raw('mqtt.test', { url: 'http://127.0.0.1:1883' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(
      await t.raw('notify.channels.create', {
        kind: 'mqtt',
        name: 'x',
        config: { topic: 'home/#' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    // A client joining later gets the configs and availability as retained messages.
    const late = await subscribe(['homeassistant/device/+/config', 'hsi/available']);
    const available = await late.waitFor((m) => m.topic === 'hsi/available');
    expect([available.text, available.retain]).toEqual(['online', true]);
    const configs = new Map<string, Record<string, unknown>>();
    for (const topic of [cameraConfig, 'homeassistant/device/hsi_app_hsi/config']) {
      const m = await late.waitFor((x) => x.topic === topic, { what: topic });
      expect(m.retain).toBe(true);
      configs.set(topic, json(m.text));
    }
    const uniqueIds: string[] = [];
    for (const config of configs.values()) {
      const dev = config.dev as { ids: string[]; name: string };
      expect(dev.ids.length).toBe(1);
      expect(dev.name).toEqual(expect.any(String));
      expect((config.o as { name: string }).name).toBe('Home Security Intelligence');
      expect(config.availability).toEqual([
        { topic: 'hsi/available', value_template: expect.stringContaining("'online'") },
      ]);
      for (const [key, c] of Object.entries(
        config.cmps as Record<string, Record<string, unknown>>,
      )) {
        expect(['binary_sensor', 'sensor', 'image', 'event', 'switch', 'button'], key).toContain(
          c.p,
        );
        expect(c.unique_id, key).toEqual(expect.stringMatching(/^hsi_/));
        uniqueIds.push(c.unique_id as string);
        // Each reads or writes a topic of the app.
        const topicsOf = ['state_topic', 'command_topic', 'image_topic'].map((k) => c[k]);
        expect(
          topicsOf.some((v) => typeof v === 'string' && v.startsWith('hsi/')),
          key,
        ).toBe(true);
        if (c.p === 'switch') expect(c).toMatchObject({ payload_on: 'ON', payload_off: 'OFF' });
      }
    }
    expect(new Set(uniqueIds).size).toBe(uniqueIds.length);
    const cameraCmps = configs.get(cameraConfig)!.cmps as Record<string, Record<string, unknown>>;
    expect(Object.keys(cameraCmps).sort()).toEqual([
      'alert',
      'animal_occupancy',
      'detection',
      'person_occupancy',
      'risk_level',
      'risk_score',
      'snapshot',
      'vehicle_occupancy',
    ]);
    expect(cameraCmps.person_occupancy).toMatchObject({
      device_class: 'occupancy',
      state_topic: 'hsi/front_door/person',
    });
    expect(cameraCmps.detection).toMatchObject({
      command_topic: 'hsi/front_door/detect/set',
      state_topic: 'hsi/front_door/detect/state',
    });

    // Home Assistant restarted: everything again.
    const before = late.on(cameraConfig).length;
    await late.publish('homeassistant/status', 'online');
    await late.waitFor((m) => m.topic === cameraConfig, {
      from: late.messages.length,
      what: 're-sent config',
    });
    expect(late.on(cameraConfig).length).toBe(before + 1);

    // The same unique ids after a restart.
    const dataDir = t.dataDir;
    const mark = late.messages.length;
    await t.app.close();
    t = await startTestApp({ dataDir });
    const again = await late.waitFor((m) => m.topic === cameraConfig, {
      from: mark,
      what: 'config after restart',
    });
    const idsAgain = Object.values(
      json(again.text).cmps as Record<string, { unique_id: string }>,
    ).map((c) => c.unique_id);
    expect(idsAgain.sort()).toEqual(
      Object.values(cameraCmps)
        .map((c) => c.unique_id as string)
        .sort(),
    );

    // Deleting the camera removes its device: an empty retained config.
    await t.call('cameras.delete', { id: camera.id });
    const removed = await late.waitFor((m) => m.topic === cameraConfig && m.payload.length === 0, {
      what: 'removal',
    });
    expect(removed.payload.length).toBe(0);
    const fresh = await subscribe(['homeassistant/device/+/config']);
    await fresh.waitFor((m) => m.topic.includes('hsi_app_'), { what: 'app config' });
    expect(fresh.on(cameraConfig)).toEqual([]);
  });

  it('an image dropped: hsi/events new then end, the class counts up then 0, a decodable annotated snapshot, the risk; the same in Frigate’s layout', async () => {
    broker = await startBroker();
    const sub = await subscribe(['hsi/#', 'frigate/#']);
    t = await startIngestApp({
      settings: { ...FAST_BATCHES, ...mqttSettings({ frigateCompatible: true }) },
    });
    await statusWhen(t, (s) => s.state === 'connected');
    writeAtomically(
      path.join(t.dataDir, 'ingest', 'Front Door', 'MDAlarm_001.jpg'),
      await jpeg(128, 96),
    );

    const opened = await sub.waitFor(
      (m) => m.topic === 'hsi/events' && json(m.text).type === 'new',
    );
    const first = json(opened.text);
    expect(first.before).toBeNull();
    expect(first.after).toMatchObject({
      camera: 'front_door',
      cameraName: 'Front Door',
      classes: expect.arrayContaining(['person', 'car']),
      counts: { person: 1, car: 1 },
      endTime: null,
      eventId: null,
      snapshot: expect.stringMatching(/^\/api\/media\/images\/\d+\?boxes=1$/),
    });
    const ended = await sub.waitFor((m) => m.topic === 'hsi/events' && json(m.text).type === 'end');
    const end = json(ended.text).after as Record<string, unknown>;
    expect(end.id).toBe((first.after as { id: string }).id);
    const event = await t.call('events.get', { id: end.eventId as string });
    expect(end).toMatchObject({
      riskScore: event.riskScore,
      riskLevel: event.riskLevel,
      endTime: event.endedAt,
    });

    // Counts: the person (and vehicle, for the car) up, then 0 once the batch closed.
    for (const topic of ['hsi/front_door/person', 'hsi/front_door/car', 'hsi/front_door/vehicle']) {
      await sub.waitFor((m) => m.topic === topic && m.text === '0', { what: `${topic} back to 0` });
      expect(sub.on(topic).map((m) => m.text)).toEqual(['1', '0']);
    }
    const snapshot = await sub.waitFor((m) => m.topic === 'hsi/front_door/snapshot');
    // Retained: a client subscribing now gets it.
    const later = await subscribe(['hsi/front_door/snapshot']);
    expect((await later.waitFor(() => true)).retain).toBe(true);
    const meta = await sharp(snapshot.payload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 128, 96]);
    const risk = await sub.waitFor((m) => m.topic === 'hsi/front_door/risk');
    expect(Number(risk.text)).toBe(event.riskScore);
    const level = await sub.waitFor((m) => m.topic === 'hsi/front_door/risk_level');
    expect(level.text).toBe(event.riskLevel);

    // Frigate's layout, for tools built for it.
    expect((await sub.waitFor((m) => m.topic === 'frigate/available')).text).toBe('online');
    const fNew = json((await sub.waitFor((m) => m.topic === 'frigate/events')).text);
    expect(fNew).toMatchObject({
      type: 'new',
      before: null,
      after: {
        id: end.id,
        camera: 'front_door',
        label: 'person',
        top_score: expect.closeTo(0.93, 3),
        end_time: null,
        has_snapshot: true,
        has_clip: false,
        false_positive: false,
        current_zones: [],
      },
    });
    const startTime = (fNew.after as { start_time: number }).start_time;
    expect(startTime).toBeCloseTo(
      Date.parse((first.after as { startTime: string }).startTime) / 1000,
      3,
    );
    const fEnd = await sub.waitFor(
      (m) => m.topic === 'frigate/events' && json(m.text).type === 'end',
    );
    expect((json(fEnd.text).after as { end_time: number }).end_time).toBeCloseTo(
      Date.parse(event.endedAt) / 1000,
      3,
    );
    const reviews = sub.on('frigate/reviews').map((m) => json(m.text));
    await sub.waitFor((m) => m.topic === 'frigate/reviews' && json(m.text).type === 'end');
    expect(sub.on('frigate/reviews').map((m) => json(m.text).type)).toEqual(['new', 'end']);
    expect(reviews[0]).toMatchObject({
      after: { camera: 'front_door', severity: 'detection', data: { objects: ['person', 'car'] } },
    });
    const fSnapshot = await sub.waitFor((m) => m.topic === 'frigate/front_door/person/snapshot');
    expect((await sharp(fSnapshot.payload).metadata()).format).toBe('jpeg');
    await sub.waitFor((m) => m.topic === 'frigate/front_door/person' && m.text === '0');
    expect(sub.on('frigate/front_door/person').map((m) => m.text)).toEqual(['1', '0']);
    expect(sub.on('frigate/front_door/vehicle')).toEqual([]);
  });

  it('delivers an alert through an MQTT channel; commands switch detection and intake, acknowledge alerts; malformed ones are ignored', async () => {
    broker = await startBroker();
    const sub = await subscribe(['home/alerts', 'hsi/#']);
    t = await startTestApp({ settingsPatch: { ...FAST_BATCHES, ...mqttSettings() } });
    await statusWhen(t, (s) => s.state === 'connected');
    const camera = await peopleAlertsToMqtt(t);
    await detect(t.app, camera.id, [{ objectClass: 'person', confidence: 0.95 }]);
    const delivered = await sub.waitFor((m) => m.topic === 'home/alerts', {
      what: 'alert on the channel topic',
    });
    const body = json(delivered.text);
    expect(body).toMatchObject({
      type: 'alert',
      alert: { ruleName: 'People', severity: 'high' },
      event: { cameraName: 'Porch', objectClasses: ['person'] },
    });
    const haEvent = await sub.waitFor((m) => m.topic === 'hsi/porch/alert');
    expect(json(haEvent.text)).toMatchObject({ event_type: 'high', ruleName: 'People' });
    await expect
      .poll(async () => (await t!.call('notify.deliveries.list', {})).map((d) => d.status))
      .toEqual(['sent']);

    // Detection off and on for the camera; the state is echoed.
    let mark = sub.messages.length;
    await sub.publish('hsi/porch/detect/set', 'OFF');
    await sub.waitFor((m) => m.topic === 'hsi/porch/detect/state' && m.text === 'OFF', {
      from: mark,
    });
    expect((await t.call('cameras.get', { id: camera.id })).enabled).toBe(false);
    // From here on: an earlier ON state (the one before OFF) must not count.
    mark = sub.messages.length;
    await sub.publish('hsi/porch/detect/set', 'on');
    await sub.waitFor((m) => m.topic === 'hsi/porch/detect/state' && m.text === 'ON', {
      from: mark,
    });
    expect((await t.call('cameras.get', { id: camera.id })).enabled).toBe(true);

    // Intake paused and resumed.
    mark = sub.messages.length;
    await sub.publish('hsi/intake/set', 'OFF');
    await sub.waitFor((m) => m.topic === 'hsi/intake/state' && m.text === 'OFF', { from: mark });
    expect((await t.call('ingest.status', {})).pausedByUser).toBe(true);
    await sub.publish('hsi/intake/set', 'ON');
    await sub.waitFor((m) => m.topic === 'hsi/intake/state' && m.text === 'ON', { from: mark });

    // Malformed commands: logged and ignored, the app carries on.
    for (const [topic, payload] of [
      ['hsi/intake/set', 'maybe'],
      ['hsi/porch/detect/set', '{"on":true}'],
      ['hsi/nowhere/detect/set', 'ON'],
      ['hsi/alerts/acknowledge', '{"id": 42}'],
      ['hsi/alerts/acknowledge', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ] as const) {
      await sub.publish(topic, payload);
    }
    await expect
      .poll(
        async () =>
          (await t!.call('mqtt.messages', {})).filter((m) => m.outcome === 'ignored').length,
      )
      .toBe(5);
    const ignored = (await t.call('mqtt.messages', {})).filter((m) => m.outcome === 'ignored');
    expect(ignored.map((m) => m.note)).toEqual(
      expect.arrayContaining(['malformed payload', 'no camera "nowhere"']),
    );
    expect((await t.call('ingest.status', {})).pausedByUser).toBe(false);

    // Acknowledge every alert.
    expect((await t.call('alerts.list', { status: 'active' })).items).toHaveLength(1);
    await sub.publish('hsi/alerts/acknowledge', 'all');
    await expect
      .poll(async () => (await t!.call('alerts.list', { status: 'active' })).items)
      .toEqual([]);
    const updated = await sub.waitFor(
      (m) => m.topic === 'hsi/alerts' && json(m.text).type === 'updated',
      { what: 'acknowledged alert' },
    );
    expect(json(updated.text)).toMatchObject({ alert: { status: 'acknowledged' } });
  });

  it(
    'keeps messages while the broker is down and sends them in order after it is back; the queue is bounded',
    { timeout: 90_000 },
    async () => {
      broker = await startBroker({ persistence: true });
      // A persistent session: the broker keeps the subscriber's messages across its restart.
      const sub = await subscribe(['hsi/events'], {
        clean: false,
        clientId: 'hsi-test-persistent',
      });
      // Every detection its own event (none taken for a parked object).
      const batching = { ...FAST_BATCHES.batching, stationary: { iou: 0.85, seconds: 0 } };
      t = await startTestApp({ settingsPatch: { batching, ...mqttSettings({ queueLimit: 40 }) } });
      await statusWhen(t, (s) => s.state === 'connected');
      const camera = await t.call('cameras.create', { name: 'Drive' });
      const person = () => detect(t!.app, camera.id, [{ objectClass: 'person', confidence: 0.95 }]);

      await broker.stop();
      await statusWhen(t, (s) => s.state === 'reconnecting');
      // Each event: new, the person count 1 and 0, end, risk and risk level.
      for (let i = 1; i <= 3; i += 1) {
        await person();
        await statusWhen(t, (s) => s.queued >= 6 * i);
      }
      const created = (await t.call('events.list', { limit: 10 })).items.map((e) => e.id).reverse();
      expect(created).toHaveLength(3);

      await broker.start();
      await statusWhen(t, (s) => s.state === 'connected' && s.queued === 0);
      await sub.waitFor(
        (m) =>
          json(m.text).type === 'end' &&
          (json(m.text).after as { eventId: string }).eventId === created[2],
        { what: 'the last event', timeoutMs: 30_000 },
      );
      const seen = sub.messages
        .map((m) => json(m.text) as { type: string; after: { id: string; eventId: string | null } })
        .filter((m) => m.type === 'new' || m.type === 'end');
      // new, end for each event, in the order they happened.
      expect(seen.map((m) => m.type)).toEqual(['new', 'end', 'new', 'end', 'new', 'end']);
      expect(seen.filter((m) => m.type === 'end').map((m) => m.after.eventId)).toEqual(created);
      expect(seen[0]!.after.id).toBe(seen[1]!.after.id);

      // Bounded: with the broker gone again, more than the limit keeps the newest, counted.
      await t.call('system.settings.update', { mqtt: { queueLimit: 10 } });
      await broker.stop();
      await statusWhen(t, (s) => s.state === 'reconnecting');
      for (let i = 0; i < 3; i += 1) await person();
      const full = await statusWhen(t, (s) => s.dropped >= 8 && s.queued === 10);
      expect(full.dropped).toBe(8);
      // Operations shows it degraded from the next health check on, with why.
      await t.app.supervisor.checkAll();
      expect((await t.call('services.list', {})).find((s) => s.name === 'mqtt')).toMatchObject({
        status: 'degraded',
        detail: expect.stringMatching(/unreachable.*10 messages kept/),
      });
    },
  );

  it('a delivery due as the app starts waits for the broker connection: sent on its first attempt', async () => {
    broker = await startBroker();
    const sub = await subscribe(['home/alerts']);
    const settingsPatch = { ...FAST_BATCHES, ...mqttSettings() };
    t = await startTestApp({ settingsPatch });
    await statusWhen(t, (s) => s.state === 'connected');
    const camera = await peopleAlertsToMqtt(t);
    await detect(t.app, camera.id, [{ objectClass: 'person', confidence: 0.95 }]);
    await sub.waitFor((m) => m.topic === 'home/alerts', { what: 'the alert' });
    await expect
      .poll(async () => (await t!.call('notify.deliveries.list', {})).map((d) => d.status))
      .toEqual(['sent']);
    const { dataDir } = t;
    await t.app.close();
    // As if the app had stopped just before sending it: due, no attempt made.
    const db = new Database(path.join(dataDir, 'hsi.sqlite'));
    db.prepare(`UPDATE deliveries SET status = 'pending', attempts = 0, sent_at = NULL`).run();
    db.close();

    const mark = sub.messages.length;
    t = await startTestApp({ dataDir, settingsPatch });
    await sub.waitFor((m) => m.topic === 'home/alerts', { from: mark, what: 'the alert again' });
    // Not "Not connected to the MQTT broker" first (an attempt spent on the app's own start).
    await expect
      .poll(async () =>
        (await t!.call('notify.deliveries.list', {})).map((d) => [
          d.status,
          d.attempts,
          d.lastError,
        ]),
      )
      .toEqual([['sent', 1, null]]);
  });

  it('says offline (its Last Will) when killed, stopped on a clean exit; credentials stay out of the logs', async () => {
    const password = 'broker-pass-5f3a9c';
    broker = await startBroker({ users: { hsi: password } });
    const sub = await Subscriber.connect(broker.url, ['hsi/available'], {
      username: 'hsi',
      password,
    });
    subscribers.push(sub);
    const dataDir = tempDir();
    const settingsFile = path.join(dataDir, 'mqtt.json');
    fs.writeFileSync(
      settingsFile,
      JSON.stringify({ mqtt: { enabled: true, url: broker.url, username: 'hsi', password } }),
    );
    let serve = await startServe([
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--settings',
      settingsFile,
    ]);
    await sub.waitFor((m) => m.text === 'online', { what: 'online' });
    let mark = sub.messages.length;
    serve.child.kill('SIGKILL');
    await sub.waitFor((m) => m.text === 'offline', { from: mark, what: 'the Last Will' });

    serve = await startServe(['--data-dir', dataDir, '--port', '0']);
    await sub.waitFor((m) => m.text === 'online', { from: mark, what: 'online again' });
    mark = sub.messages.length;
    const code = await serve.stop();
    expect(code, serve.stderr()).toBe(0);
    await sub.waitFor((m) => m.text === 'stopped', { from: mark, what: 'stopped' });

    // A wrong password: a clear status, and neither password in the logs or the settings.
    t = await startTestApp({ dataDir, debug: true, logger: undefined, logStderr: false });
    await t.call('debug.logLevel', { level: 'trace' });
    await statusWhen(t, (s) => s.state === 'connected');
    await t.call('mqtt.test', {});
    await t.call('system.settings.update', { mqtt: { password: 'wrong-pass-0c0ffee' } });
    const refused = await statusWhen(t, (s) => s.state === 'reconnecting');
    expect(refused.lastError).toMatch(/Not authorized|Bad username or password/i);
    expect((await t.call('system.settings.get', {})).mqtt.password).toBe('[REDACTED]');
    await t.app.close(); // flushes the logs table and file
    const db = new Database(path.join(dataDir, 'hsi.sqlite'), { readonly: true });
    const logs = db.prepare('SELECT * FROM logs').all() as { message: string }[];
    const stored = JSON.stringify(db.prepare('SELECT * FROM settings').all());
    db.close();
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining(['MQTT connected', 'MQTT broker unreachable']),
    );
    const logFiles = fs
      .readdirSync(path.join(dataDir, 'logs'))
      .map((f) => fs.readFileSync(path.join(dataDir, 'logs', f), 'utf8'))
      .join('');
    for (const secret of [password, 'wrong-pass-0c0ffee']) {
      expect(JSON.stringify(logs)).not.toContain(secret);
      expect(logFiles).not.toContain(secret);
      expect(stored).not.toContain(secret);
      expect(serve.stderr()).not.toContain(secret);
    }
  });
});
