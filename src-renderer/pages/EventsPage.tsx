import { useEffect, useRef } from 'react';
import { EventBulkBar } from '../components/EventBulkBar';
import { EventDetailDialog } from '../components/EventDetailDialog';
import { EventFilters } from '../components/EventFilters';
import { EventStatsLine } from '../components/EventStatsLine';
import { EventTimeline } from '../components/EventTimeline';
import { eventIdFromHash, useHash } from '../routes';
import { useEventsView } from '../stores/events-view';
import { useStartOver } from '../timeline';

function NewEventsButton() {
  const hasNew = useEventsView((s) => s.hasNew);
  const startOver = useStartOver();
  if (!hasNew) return null;
  return (
    <p className="new-events">
      <button type="button" className="button button-small" onClick={startOver}>
        New events — refresh
      </button>
    </p>
  );
}

/** `#/events`: filters, stats, the virtualised timeline; `#/events/<id>` adds the detail. */
export function EventsPage() {
  const hash = useHash();
  const detailId = eventIdFromHash(hash);
  const lastDetail = useRef<string | null>(null);

  // Opening the page starts at the newest events (the filters are kept).
  useEffect(() => useEventsView.getState().startOver(), []);

  // Closing the detail: put focus on the card of the event last shown, if it is rendered.
  useEffect(() => {
    const previous = lastDetail.current;
    lastDetail.current = detailId;
    if (detailId !== null || previous === null) return;
    const card = document.querySelector(`[data-testid="event-card-${CSS.escape(previous)}"]`);
    card?.querySelector<HTMLElement>('.event-card-link')?.focus();
  }, [detailId]);

  return (
    <section className="page page-events" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Events</h1>
      </header>
      <EventFilters />
      <div className="events-toolbar">
        <EventStatsLine />
        <EventBulkBar />
      </div>
      <NewEventsButton />
      <EventTimeline activeId={detailId} />
      {detailId !== null && <EventDetailDialog id={detailId} />}
    </section>
  );
}
