import { useState } from 'react';
import type { NotificationChannel } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { KIND_LABELS } from '../channel-form';
import { StatusBadge } from './StatusBadge';

/** Where a channel sends to: its URL, its recipients, or this app. */
function channelTarget(channel: NotificationChannel): string {
  const c = channel.config;
  if (channel.kind === 'webhook' && typeof c.url === 'string') return c.url;
  if (channel.kind === 'email' && Array.isArray(c.to)) return c.to.join(', ');
  if (channel.kind === 'desktop') return 'This app';
  if (channel.kind === 'mqtt' && typeof c.topic === 'string') return c.topic;
  return '';
}

type TestState =
  { state: 'idle' } | { state: 'testing' } | { state: 'done'; ok: boolean; text: string };

function TestButton({ channel }: { channel: NotificationChannel }) {
  const api = useApi();
  const [test, setTest] = useState<TestState>({ state: 'idle' });
  const run = () => {
    setTest({ state: 'testing' });
    api.invoke('notify.channels.test', { id: channel.id }).then(
      (result) =>
        setTest(
          result.ok
            ? { state: 'done', ok: true, text: 'Test sent' }
            : { state: 'done', ok: false, text: `Test failed: ${result.error ?? 'unknown error'}` },
        ),
      (err: unknown) =>
        setTest({ state: 'done', ok: false, text: `Test failed: ${errorMessage(err)}` }),
    );
  };
  return (
    <>
      <button
        type="button"
        className="button button-small"
        disabled={test.state === 'testing'}
        onClick={run}
      >
        Test<span className="visually-hidden"> {channel.name}</span>
      </button>
      <span
        className={
          test.state === 'done' && !test.ok ? 'channel-test field-error' : 'channel-test status-ok'
        }
        role="status"
        data-testid={`channel-test-${channel.id}`}
      >
        {test.state === 'testing' ? 'Sending…' : test.state === 'done' ? test.text : ''}
      </span>
    </>
  );
}

interface ChannelListProps {
  channels: readonly NotificationChannel[];
  editingId: string | null;
  onEdit: (channel: NotificationChannel) => void;
  onDelete: (channel: NotificationChannel) => void;
}

export function ChannelList({ channels, editingId, onEdit, onDelete }: ChannelListProps) {
  return (
    <div className="table-wrap">
      <table className="table channel-table">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Sends to</th>
            <th scope="col">Enabled</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.map((channel) => (
            <tr
              key={channel.id}
              data-testid={`channel-row-${channel.id}`}
              className={channel.id === editingId ? 'is-current' : undefined}
            >
              <td>{KIND_LABELS[channel.kind]}</td>
              <td className="cell-name">{channel.name}</td>
              <td>
                <span className="path channel-target">{channelTarget(channel)}</span>
              </td>
              <td>
                <StatusBadge
                  status={channel.enabled ? 'ok' : 'stopped'}
                  label={channel.enabled ? 'Enabled' : 'Disabled'}
                />
              </td>
              <td>
                <div className="row-actions">
                  <TestButton channel={channel} />
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => onEdit(channel)}
                  >
                    Edit<span className="visually-hidden"> {channel.name}</span>
                  </button>
                  <button
                    type="button"
                    className="button button-small button-danger-quiet"
                    onClick={() => onDelete(channel)}
                  >
                    Delete<span className="visually-hidden"> {channel.name}</span>
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
