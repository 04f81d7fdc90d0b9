import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { SecurityEvent } from '../../src-shared/domain';
import { isTypingTarget } from '../keyboard';
import { eventHref, eventIdFromHash, routeHref } from '../routes';
import { cacheUpdatedEvent } from '../server-state';
import { useEventsTimeline } from '../timeline';
import { Dialog } from './Dialog';
import { EVENT_DETAIL_TITLE_ID, EventDetail } from './EventDetail';

export function backToEvents(): void {
  window.location.hash = routeHref('events');
}

/** The id of the event `step` places away in the loaded list from the one shown, if any. */
function neighbour(items: readonly SecurityEvent[], step: -1 | 1): string | null {
  const current = eventIdFromHash(window.location.hash);
  if (current === null) return null;
  const index = items.findIndex((e) => e.id === current);
  if (index === -1) return null;
  return items[index + step]?.id ?? null;
}

/** Shows another event without adding a history entry per step. */
function showEvent(id: string): void {
  window.location.replace(eventHref(id));
}

function step(items: readonly SecurityEvent[], by: -1 | 1): void {
  const target = neighbour(items, by);
  if (target !== null) showEvent(target);
}

/**
 * The event detail as a modal over the timeline (which keeps its place): ← / → step through
 * the loaded list (newer / older), Esc goes back to the timeline.
 */
export function EventDetailDialog({ id }: { id: string }) {
  const qc = useQueryClient();
  const { items } = useEventsTimeline();
  // Read at key time: repeated keys can outrun rendering.
  const itemsRef = useRef(items);
  useEffect(() => {
    itemsRef.current = items;
  }, [items]);
  const titleRef = useRef<HTMLHeadingElement>(null);

  const index = items.findIndex((e) => e.id === id);
  const hasNewer = index > 0;
  const hasOlder = index >= 0 && index < items.length - 1;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      if (isTypingTarget(e.target)) return;
      // Read the current event at key time: repeated keys can outrun rendering.
      const target = neighbour(itemsRef.current, e.key === 'ArrowLeft' ? -1 : 1);
      if (target === null) return;
      e.preventDefault();
      showEvent(target);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // Stepping to another event replaces the content: keep focus in the dialog.
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body) titleRef.current?.focus();
  }, [id]);

  return (
    <Dialog
      labelledBy={EVENT_DETAIL_TITLE_ID}
      onClose={backToEvents}
      initialFocus={titleRef}
      className="dialog-wide event-detail"
    >
      <nav className="event-detail-nav" aria-label="Event navigation">
        <button
          type="button"
          className="button button-small"
          aria-disabled={!hasNewer}
          onClick={() => step(items, -1)}
        >
          <span aria-hidden="true">←</span> Previous event
        </button>
        <button
          type="button"
          className="button button-small"
          aria-disabled={!hasOlder}
          onClick={() => step(items, 1)}
        >
          Next event <span aria-hidden="true">→</span>
        </button>
        <button type="button" className="button button-small" onClick={backToEvents}>
          Back to events
        </button>
        <p className="key-hint">
          Keys: <kbd>←</kbd> newer · <kbd>→</kbd> older · <kbd>Esc</kbd> back to events
        </p>
      </nav>
      <EventDetail
        key={id}
        id={id}
        initial={index >= 0 ? items[index] : undefined}
        onUpdated={(event) => cacheUpdatedEvent(qc, event)}
        titleRef={titleRef}
      />
    </Dialog>
  );
}
