import type { RefObject } from 'react';
import { dateTime } from '../../format';
import { useActivity } from '../../queries';
import { eventHref, routeHref } from '../../routes';
import { SETUP_STEPS, dismissSetup, useSetup } from '../../setup-state';
import { ErrorNotice } from '../ErrorNotice';
import { StepFrame } from './StepFrame';

/** The newest event, kept current by the `event.created` push. */
function FirstEvent() {
  const activity = useActivity();
  const event = activity.data?.[0];
  if (activity.isError)
    return <ErrorNotice error={activity.error} prefix="Could not load events" />;
  return (
    <div className="panel" aria-live="polite" data-testid="setup-first-event">
      {event ? (
        <p className="status-line status-line-good">
          ✓ <a href={eventHref(event.id)}>Your first event</a>: risk {event.riskScore} (
          {event.riskLevel}) at {dateTime(event.startedAt)} —{' '}
          <a href={routeHref('events')}>see all events</a>
        </p>
      ) : (
        <p className="muted">
          No event yet: the first one appears here as soon as a camera&apos;s snapshot shows
          something.
        </p>
      )}
    </div>
  );
}

export function FinishStep({ headingRef }: { headingRef: RefObject<HTMLHeadingElement | null> }) {
  const outcomes = useSetup((s) => s.outcomes);
  const finish = () => {
    dismissSetup();
    window.location.hash = routeHref('dashboard');
  };
  return (
    <StepFrame
      title="All set"
      headingRef={headingRef}
      intro="Here is what was set up. You can change any of it later in Settings, or run setup again from there."
      onNext={finish}
      nextLabel="Finish setup"
    >
      <dl className="facts setup-summary" aria-label="Setup summary">
        {SETUP_STEPS.filter((s) => s.id !== 'finish').map((step) => (
          <div key={step.id}>
            <dt>{step.title}</dt>
            <dd>{outcomes[step.id] ?? 'Not visited'}</dd>
          </div>
        ))}
      </dl>
      <FirstEvent />
    </StepFrame>
  );
}
