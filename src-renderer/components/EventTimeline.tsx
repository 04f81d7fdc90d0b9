import { useCallback } from 'react';
import type { SecurityEvent } from '../../src-shared/domain';
import { hasActiveFilters } from '../event-filters';
import { useNow } from '../stores/clock';
import { MAX_LOADED, useEvents } from '../stores/events';
import { EventCard } from './EventCard';
import { VirtualList } from './VirtualList';

/** Height of one timeline row (card plus gap), px; the stylesheet sizes cards to fit. */
export const EVENT_ROW_HEIGHT = 120;

const keyOf = (event: SecurityEvent) => event.id;

function ListFooter() {
  const loadingMore = useEvents((s) => s.loadingMore);
  const loadMoreError = useEvents((s) => s.loadMoreError);
  const nextCursor = useEvents((s) => s.nextCursor);
  const count = useEvents((s) => s.items.length);
  const skipped = useEvents((s) => s.skipped);
  const loadMore = useEvents((s) => s.loadMore);
  const loadOlder = useEvents((s) => s.loadOlder);

  let content;
  if (loadMoreError) {
    content = (
      <div role="alert">
        <p>Could not load more events: {loadMoreError}</p>
        <button type="button" className="button button-small" onClick={() => void loadMore()}>
          Retry
        </button>
      </div>
    );
  } else if (loadingMore) {
    content = <p className="muted">Loading more events…</p>;
  } else if (nextCursor !== null && count >= MAX_LOADED) {
    content = (
      <>
        <p className="muted">
          {count} events loaded. Continue with older ones (the ones above are let go), or narrow the
          filters.
        </p>
        <button type="button" className="button button-small" onClick={() => void loadOlder()}>
          Load older events
        </button>
      </>
    );
  } else if (nextCursor === null) {
    content = (
      <p className="muted">
        {skipped + count === 1 ? 'That is the only event' : 'No older events'}
      </p>
    );
  }
  return <div className="vlist-footer">{content}</div>;
}

/** The event list itself: loading, error and empty states, or the virtualised cards. */
export function EventTimeline({ activeId }: { activeId: string | null }) {
  const items = useEvents((s) => s.items);
  const status = useEvents((s) => s.status);
  const error = useEvents((s) => s.error);
  const searchError = useEvents((s) => s.searchError);
  const selected = useEvents((s) => s.selected);
  const generation = useEvents((s) => s.generation);
  const filters = useEvents((s) => s.filters);
  const skipped = useEvents((s) => s.skipped);
  const loadMore = useEvents((s) => s.loadMore);
  const reload = useEvents((s) => s.reload);
  const setSelected = useEvents((s) => s.setSelected);
  const now = useNow();

  const onNearEnd = useCallback(() => void loadMore(), [loadMore]);
  const renderRow = useCallback(
    (event: SecurityEvent) => (
      <EventCard
        event={event}
        selected={selected.has(event.id)}
        onSelectedChange={setSelected}
        now={now}
      />
    ),
    [selected, setSelected, now],
  );

  if (status === 'idle' || (status === 'loading' && items.length === 0)) {
    return (
      <p className="muted event-list-state" role="status">
        Loading…
      </p>
    );
  }
  if (status === 'error') {
    return (
      <div className="notice notice-error" role="alert">
        <p>Could not load events: {error}</p>
        <button type="button" className="button button-small" onClick={() => void reload()}>
          Retry
        </button>
      </div>
    );
  }
  if (searchError) {
    return <p className="muted event-list-state">Fix the search above to see events.</p>;
  }
  if (items.length === 0 && skipped === 0) {
    return (
      <div className="panel empty" data-testid="events-empty">
        {hasActiveFilters(filters) ? (
          <p className="empty-title">No events match these filters</p>
        ) : (
          <p className="empty-title">
            No events yet — events appear when cameras detect people, vehicles or animals
          </p>
        )}
      </div>
    );
  }

  const activeIndex = activeId === null ? -1 : items.findIndex((e) => e.id === activeId);
  return (
    <>
      {skipped > 0 && (
        <p className="notice older-notice">
          Showing older events (the newest {skipped} are not loaded).{' '}
          <button type="button" className="button button-small" onClick={() => void reload()}>
            Back to newest
          </button>
        </p>
      )}
      <VirtualList
        items={items}
        rowHeight={EVENT_ROW_HEIGHT}
        overscan={10}
        getKey={keyOf}
        renderRow={renderRow}
        onNearEnd={onNearEnd}
        endThreshold={20}
        resetKey={generation}
        activeIndex={activeIndex}
        footer={<ListFooter />}
        label="Event list"
        className="event-list"
      />
    </>
  );
}
