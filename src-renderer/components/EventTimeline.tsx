import { useCallback } from 'react';
import type { SecurityEvent } from '../../src-shared/domain';
import { hasActiveFilters } from '../event-filters';
import { MAX_LOADED } from '../queries';
import { useNow } from '../stores/clock';
import { useEventsView } from '../stores/events-view';
import { useEventsTimeline, useStartOver } from '../timeline';
import { EventCard } from './EventCard';
import { VirtualList } from './VirtualList';

/** Height of one timeline row (card plus gap), px; the stylesheet sizes cards to fit. */
export const EVENT_ROW_HEIGHT = 120;

const keyOf = (event: SecurityEvent) => event.id;

function ListFooter({ timeline }: { timeline: ReturnType<typeof useEventsTimeline> }) {
  const { list, items, nextCursor, loadMoreError } = timeline;
  const skipped = useEventsView((s) => s.skipped);
  const continueAfter = useEventsView((s) => s.continueAfter);
  const count = items.length;

  let content;
  if (loadMoreError) {
    content = (
      <div role="alert">
        <p>Could not load more events: {loadMoreError}</p>
        <button
          type="button"
          className="button button-small"
          onClick={() => void list.fetchNextPage()}
        >
          Retry
        </button>
      </div>
    );
  } else if (list.isFetchingNextPage) {
    content = <p className="muted">Loading more events…</p>;
  } else if (nextCursor !== null && count >= MAX_LOADED) {
    content = (
      <>
        <p className="muted">
          {count} events loaded. Continue with older ones (the ones above are let go), or narrow the
          filters.
        </p>
        <button
          type="button"
          className="button button-small"
          onClick={() => continueAfter(nextCursor, count)}
        >
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
  const timeline = useEventsTimeline();
  const { list, items, error, searchError, filter, start } = timeline;
  const selected = useEventsView((s) => s.selected);
  const filters = useEventsView((s) => s.filters);
  const skipped = useEventsView((s) => s.skipped);
  const setSelected = useEventsView((s) => s.setSelected);
  const startOver = useStartOver();
  const now = useNow();
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  const onNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
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

  if (list.isPending) {
    return (
      <p className="muted event-list-state" role="status">
        Loading…
      </p>
    );
  }
  if (error) {
    return (
      <div className="notice notice-error" role="alert">
        <p>Could not load events: {error}</p>
        <button type="button" className="button button-small" onClick={() => void list.refetch()}>
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
          <button type="button" className="button button-small" onClick={startOver}>
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
        resetKey={JSON.stringify([filter, start])}
        activeIndex={activeIndex}
        footer={<ListFooter timeline={timeline} />}
        label="Event list"
        className="event-list"
      />
    </>
  );
}
