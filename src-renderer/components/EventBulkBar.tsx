import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { SecurityEvent } from '../../src-shared/domain';
import type { RendererClient } from '../api';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { plural } from '../format';
import type { EventPages } from '../server-state';
import { keys } from '../server-state';
import { useEventsView } from '../stores/events-view';
import { useEventsTimeline } from '../timeline';
import { BulkBar } from './BulkBar';

/** Ids per `events.bulkUpdate` call (the API's limit). */
const BULK_CHUNK = 500;

/** Marks the selected events reviewed, chunk by chunk; resolves to how many were updated. */
async function markReviewed(
  api: RendererClient,
  qc: ReturnType<typeof useQueryClient>,
  ids: readonly string[],
): Promise<number> {
  let updated = 0;
  for (let i = 0; i < ids.length; i += BULK_CHUNK) {
    const chunk = ids.slice(i, i + BULK_CHUNK);
    updated += (await api.invoke('events.bulkUpdate', { ids: chunk, reviewed: true })).updated;
    const done = new Set(chunk);
    const mark = (e: SecurityEvent) =>
      done.has(e.id) && !e.reviewed ? { ...e, reviewed: true } : e;
    qc.setQueriesData<EventPages>(
      { queryKey: keys.eventsAll },
      (data) =>
        data && { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map(mark) })) },
    );
    useEventsView.getState().unselect(chunk);
  }
  void qc.invalidateQueries({ queryKey: keys.eventStatsAll });
  return updated;
}

/** Select all loaded events and mark the selection reviewed. */
export function EventBulkBar() {
  const api = useApi();
  const qc = useQueryClient();
  const { items } = useEventsTimeline();
  const selected = useEventsView((s) => s.selected);
  const selectAll = useEventsView((s) => s.selectAll);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = useMemo(() => items.map((event) => event.id), [items]);

  const onMark = () => {
    setBusy(true);
    setMessage(null);
    setError(null);
    markReviewed(api, qc, [...selected]).then(
      (updated) => {
        setBusy(false);
        setMessage(`Marked ${plural(updated, 'event')} reviewed`);
      },
      (err: unknown) => {
        setBusy(false);
        setError(`Could not mark events reviewed: ${errorMessage(err)}`);
      },
    );
  };

  return (
    <BulkBar
      label="Bulk review"
      ids={ids}
      selected={selected}
      selectAll={selectAll}
      testId="events-selected"
      message={message}
      error={error}
    >
      {(count) => (
        <button
          type="button"
          className="button button-small button-primary"
          disabled={count === 0 || busy}
          onClick={onMark}
        >
          Mark reviewed
        </button>
      )}
    </BulkBar>
  );
}
