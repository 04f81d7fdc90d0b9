/** The MQTT connection as Settings → Integrations and Operations show it (`mqtt.status`). */
export type MqttConnectionState = 'disabled' | 'connecting' | 'connected' | 'reconnecting';

export interface MqttStatus {
  state: MqttConnectionState;
  /** The broker address, credentials left out. */
  url: string;
  clientId: string;
  /** The last connection error (credentials left out), until the next connect. */
  lastError: string | null;
  connectedAt: string | null;
  /** When the next connection attempt is due while reconnecting. */
  nextAttemptAt: string | null;
  /** Messages waiting for the broker (kept on disk), and those dropped at the bound. */
  queued: number;
  dropped: number;
  sent: number;
  received: number;
}

/** One message of the "last messages" view (`mqtt.messages`), newest first. */
export interface MqttMessageRecord {
  at: string;
  direction: 'out' | 'in';
  topic: string;
  bytes: number;
  retained: boolean;
  /** The start of a text payload; binary payloads (snapshots) are described, not shown. */
  preview: string;
  /** Out: sent, or waiting in the queue; in: handled or ignored (a malformed command). */
  outcome: 'sent' | 'queued' | 'handled' | 'ignored';
  /** Why an incoming message was ignored. */
  note: string | null;
}

/** `mqtt.test`: the broker accepted the connection. */
export interface MqttTestResult {
  url: string;
  latencyMs: number;
}
