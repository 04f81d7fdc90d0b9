/**
 * Settings → Integrations, live: the MQTT connection's state and counters (`mqtt.status` and
 * its push) and the last messages in and out (`mqtt.messages`, read again while shown).
 */
import type { MqttMessageRecord, MqttStatus } from '../../src-shared/mqtt';
import { dateTime, fileSizeText, timeOfDay } from '../format';
import {
  MQTT_STATE_LABELS,
  MQTT_STATE_TONES,
  directionText,
  mqttStateText,
  outcomeText,
} from '../mqtt-settings-form';
import { useMqttMessages, useMqttStatus } from '../queries';
import { ErrorNotice } from './ErrorNotice';
import { StatusBadge } from './StatusBadge';

function StatusFacts({ status }: { status: MqttStatus }) {
  return (
    <div className="panel">
      {/* The state changes on its own: said when it does, the counters are not. */}
      <p aria-live="polite" data-testid="mqtt-state">
        {mqttStateText(status)}
      </p>
      {status.state !== 'disabled' && (
        <p className="muted">
          Broker <code>{status.url}</code>
          {status.clientId && (
            <>
              {' '}
              as client <code>{status.clientId}</code>
            </>
          )}
        </p>
      )}
      <dl className="stats" aria-label="MQTT message counts">
        <div className="stat">
          <dt>Messages kept</dt>
          <dd>{status.queued}</dd>
        </div>
        <div className="stat">
          <dt>Dropped</dt>
          <dd>{status.dropped}</dd>
        </div>
        <div className="stat">
          <dt>Sent</dt>
          <dd>{status.sent}</dd>
        </div>
        <div className="stat">
          <dt>Received</dt>
          <dd>{status.received}</dd>
        </div>
      </dl>
      <p className="field-hint">
        Kept: waiting on disk for the broker. Dropped: the oldest kept messages, let go past the
        limit. Sent and received: since the app started.
      </p>
    </div>
  );
}

function MessageRow({ message }: { message: MqttMessageRecord }) {
  return (
    <tr>
      <td>
        <time dateTime={message.at} title={dateTime(message.at)}>
          {timeOfDay(message.at)}
        </time>
      </td>
      <td>{directionText(message)}</td>
      <td>
        <code className="path" title={message.topic}>
          {message.topic}
        </code>
      </td>
      <td className="cell-number">{fileSizeText(message.bytes)}</td>
      <td>
        <code className="path" title={message.preview}>
          {message.preview}
        </code>
      </td>
      <td>{outcomeText(message)}</td>
    </tr>
  );
}

function MessageTable({ enabled }: { enabled: boolean }) {
  const query = useMqttMessages();
  const messages = query.data ?? [];
  return (
    <section aria-labelledby="mqtt-messages-title">
      <div className="section-header">
        <h3 id="mqtt-messages-title">Last messages</h3>
      </div>
      {query.isError && <ErrorNotice error={query.error} prefix="Could not read the messages" />}
      {query.isPending && <p className="muted">Loading messages…</p>}
      {query.isSuccess && messages.length === 0 && (
        <div className="empty panel">
          <p className="empty-title">No messages yet</p>
          <p>
            {enabled
              ? 'Nothing has been sent or received since the app started.'
              : 'Turn MQTT on and save to see messages here.'}
          </p>
        </div>
      )}
      {messages.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" aria-labelledby="mqtt-messages-title">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Direction</th>
                <th scope="col">Topic</th>
                <th scope="col">Size</th>
                <th scope="col">Preview</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((m, i) => (
                // Records have no id; the newest come first, so key by time and place.
                <MessageRow key={`${m.at}-${messages.length - i}`} message={m} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function MqttActivity() {
  const query = useMqttStatus();
  const status = query.data;
  return (
    <>
      <section aria-labelledby="mqtt-status-title">
        <div className="section-header">
          <h3 id="mqtt-status-title">Connection</h3>
          {status && (
            <StatusBadge
              status={MQTT_STATE_TONES[status.state]}
              label={MQTT_STATE_LABELS[status.state]}
            />
          )}
        </div>
        {query.isError && (
          <ErrorNotice error={query.error} prefix="Could not read the MQTT status" />
        )}
        {query.isPending && <p className="muted">Loading status…</p>}
        {status && <StatusFacts status={status} />}
      </section>
      <MessageTable enabled={status !== undefined && status.state !== 'disabled'} />
    </>
  );
}
