import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Delivery, DeliveryStatus, NotificationChannel } from '../../src-shared/domain';
import { DELIVERY_STATUSES } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { dateTime, timeAgo } from '../format';
import { useChannels, useDeliveries } from '../queries';
import { DELIVERIES_LIMIT, cacheDelivery } from '../server-state';
import { useNow } from '../stores/clock';
import { StatusBadge } from './StatusBadge';

/** The name of a channel by id, or the id when it is not (or no longer) known. */
function channelName(channels: readonly NotificationChannel[], id: string): string {
  return channels.find((c) => c.id === id)?.name ?? id;
}

const RETRYABLE: readonly DeliveryStatus[] = ['failed', 'dead'];

/** "Sent 2 min ago", "Next try 12:03:00", or when it was queued. */
function deliveryTime(d: Delivery, now: number): { iso: string; text: string } {
  if (d.sentAt) return { iso: d.sentAt, text: `Sent ${timeAgo(d.sentAt, now)}` };
  if (d.nextAttemptAt && (d.status === 'failed' || d.status === 'pending')) {
    return { iso: d.nextAttemptAt, text: `Next try ${dateTime(d.nextAttemptAt)}` };
  }
  return { iso: d.createdAt, text: `Queued ${timeAgo(d.createdAt, now)}` };
}

function DeliveryRow({
  delivery,
  channel,
  now,
}: {
  delivery: Delivery;
  channel: string;
  now: number;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const time = deliveryTime(delivery, now);

  const onRetry = () => {
    setBusy(true);
    setError(null);
    api.invoke('notify.deliveries.retry', { id: delivery.id }).then(
      (updated) => {
        cacheDelivery(qc, updated);
        setBusy(false);
      },
      (err: unknown) => {
        setBusy(false);
        setError(`Could not retry: ${errorMessage(err)}`);
      },
    );
  };

  return (
    <tr data-testid={`delivery-row-${delivery.id}`}>
      <td>
        <StatusBadge status={delivery.status} />
      </td>
      <td className="cell-name">{channel}</td>
      <td className="cell-number">{delivery.attempts}</td>
      <td className="delivery-error">
        {delivery.lastError ?? <span className="muted">—</span>}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </td>
      <td>
        <time dateTime={time.iso} title={dateTime(time.iso)}>
          {time.text}
        </time>
      </td>
      <td>
        {RETRYABLE.includes(delivery.status) && (
          <button type="button" className="button button-small" disabled={busy} onClick={onRetry}>
            Retry
          </button>
        )}
      </td>
    </tr>
  );
}

/** The newest deliveries of alerts to channels, live, with a status filter and retry. */
export function DeliveryLog() {
  const [statusFilter, setStatusFilter] = useState<DeliveryStatus | null>(null);
  const query = useDeliveries(statusFilter);
  const items = query.data ?? [];
  const channels = useChannels().data ?? [];
  const now = useNow();

  return (
    <section className="delivery-log" aria-labelledby="deliveries-title">
      <div className="section-header">
        <h3 id="deliveries-title">Delivery log</h3>
        <div className="filter-field filter-inline">
          <label htmlFor="delivery-status">Status</label>
          <select
            id="delivery-status"
            value={statusFilter ?? ''}
            onChange={(e) =>
              setStatusFilter(e.target.value === '' ? null : (e.target.value as DeliveryStatus))
            }
          >
            <option value="">All</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase()}
                {s.slice(1)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="field-hint">
        The newest {DELIVERIES_LIMIT} deliveries. Failed sends are retried with backoff; dead ones
        gave up and can be retried by hand.
      </p>
      {query.isError && (
        <div className="notice notice-error" role="alert">
          <p>Could not load deliveries: {errorMessage(query.error)}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => void query.refetch()}
          >
            Retry loading
          </button>
        </div>
      )}
      {query.isPending && <p className="muted">Loading deliveries…</p>}
      {query.isSuccess && items.length === 0 && (
        <p className="muted" data-testid="deliveries-empty">
          {statusFilter
            ? `No ${statusFilter} deliveries.`
            : 'No deliveries yet. They appear when an alert is sent to a channel.'}
        </p>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact delivery-table">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Channel</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Time</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((delivery) => (
                <DeliveryRow
                  key={delivery.id}
                  delivery={delivery}
                  channel={channelName(channels, delivery.channelId)}
                  now={now}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
