/** The Events timeline as the page shows it: the view's filters and start, and their events. */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import type { EventFilter } from '../src-shared/contract';
import { ApiError, errorMessage } from './api';
import { toEventFilter } from './event-filters';
import { searchErrorFrom } from './form-errors';
import { useEventStats, useTimeline } from './queries';
import { keys, loadedEvents } from './server-state';
import { useEventsView } from './stores/events-view';

/** A refused full-text search, as a sentence for under the search box; else null. */
export function searchProblem(err: unknown, filter: EventFilter): string | null {
  if (!(err instanceof ApiError) || err.code !== 'invalid_input' || !filter.q) return null;
  return searchErrorFrom(err) ?? `This search is not valid: ${err.message}`;
}

/** The filter the view's form makes. */
export function useViewFilter(): EventFilter {
  const filters = useEventsView((s) => s.filters);
  return useMemo(() => toEventFilter(filters), [filters]);
}

export function useEventsTimeline() {
  const filter = useViewFilter();
  const start = useEventsView((s) => s.start);
  const list = useTimeline(filter, start);
  const items = useMemo(() => loadedEvents(list.data), [list.data]);
  const failed = list.isError && !list.isFetchNextPageError;
  const searchError = failed ? searchProblem(list.error, filter) : null;
  const nextCursor = list.data?.pages[list.data.pages.length - 1]?.nextCursor ?? null;
  return {
    filter,
    start,
    list,
    items,
    nextCursor,
    searchError,
    /** Why the list could not be loaded (not a search problem). */
    error: failed && !searchError ? errorMessage(list.error) : null,
    loadMoreError: list.isFetchNextPageError ? errorMessage(list.error) : null,
  };
}

export function useTimelineStats() {
  const filter = useViewFilter();
  const stats = useEventStats(filter);
  return {
    stats: stats.data ?? null,
    // A refused search is reported once, by the list, under the search box.
    error: stats.isError && !searchProblem(stats.error, filter) ? errorMessage(stats.error) : null,
  };
}

/** Back to the newest events, read again (new events arrived, or after older ones). */
export function useStartOver(): () => void {
  const qc = useQueryClient();
  return useCallback(() => {
    useEventsView.getState().startOver();
    void qc.resetQueries({ queryKey: keys.eventsAll });
    void qc.invalidateQueries({ queryKey: keys.eventStatsAll });
  }, [qc]);
}
