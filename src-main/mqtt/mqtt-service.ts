import type { DomainEventBus } from '../common/domain-events';
import type { ProbeResult } from '../services';
import type { MqttBridge } from './mqtt-bridge';
import type { MqttLink, MqttSettings } from './mqtt-link';

/** Settings whose change needs a new connection. */
const CONNECTION_KEYS = [
  'enabled',
  'url',
  'username',
  'password',
  'clientId',
  'baseTopic',
  'tls',
] as const;
/** Settings whose change needs discovery and state published again. */
const ANNOUNCE_KEYS = ['discovery', 'frigateCompatible', 'qos'] as const;

const changed = (a: MqttSettings, b: MqttSettings, keys: readonly (keyof MqttSettings)[]) =>
  keys.some((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));

/** The MQTT service as the supervisor runs it: the bridge and its connection, following the settings. */
export class MqttService {
  private off?: () => void;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly d: { link: MqttLink; bridge: MqttBridge; bus: DomainEventBus }) {}

  async start(): Promise<void> {
    await this.d.bridge.start();
    await this.d.link.start();
    this.off = this.d.bus.on('settings.changed', ({ next, previous }) => {
      const [now, before] = [next.mqtt, previous.mqtt];
      if (changed(now, before, CONNECTION_KEYS)) {
        this.pending = this.pending.then(() => this.d.link.restart());
      } else if (changed(now, before, ANNOUNCE_KEYS) && this.d.link.connected) {
        this.pending = this.pending.then(() => this.d.bridge.announce());
      }
    });
  }

  async stop(): Promise<void> {
    this.off?.();
    await this.pending.catch(() => undefined);
    await this.d.bridge.stop();
    await this.d.link.stop();
  }

  /** Running while off or connected; degraded while the broker is away (messages are kept). */
  check(): ProbeResult {
    const s = this.d.link.status();
    if (s.state === 'disabled' || s.state === 'connected')
      return { status: 'running', detail: null };
    const queued = s.queued ? `; ${s.queued} messages kept for it` : '';
    return {
      status: 'degraded',
      detail: `the MQTT broker ${s.url} is unreachable (${s.lastError ?? 'connecting'})${queued}`,
    };
  }
}
