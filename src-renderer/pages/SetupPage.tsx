import type { RefObject } from 'react';
import { useEffect, useRef } from 'react';
import { CamerasStep } from '../components/setup/CamerasStep';
import { DetectionStep } from '../components/setup/DetectionStep';
import { FinishStep } from '../components/setup/FinishStep';
import { NotificationsStep } from '../components/setup/NotificationsStep';
import { RiskStep } from '../components/setup/RiskStep';
import { SnapshotStep } from '../components/setup/SnapshotStep';
import { routeHref } from '../routes';
import type { SetupStepId } from '../setup-state';
import { SETUP_STEPS, dismissSetup, goToStep, useSetup } from '../setup-state';

function Step({
  id,
  headingRef,
}: {
  id: SetupStepId;
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  switch (id) {
    case 'cameras':
      return <CamerasStep headingRef={headingRef} />;
    case 'snapshot':
      return <SnapshotStep headingRef={headingRef} />;
    case 'detection':
      return <DetectionStep headingRef={headingRef} />;
    case 'risk':
      return <RiskStep headingRef={headingRef} />;
    case 'notifications':
      return <NotificationsStep headingRef={headingRef} />;
    case 'finish':
      return <FinishStep headingRef={headingRef} />;
  }
}

/** `#/setup`: the first-run wizard; every step can be skipped and opened again. */
export function SetupPage() {
  const step = useSetup((s) => s.step);
  const outcomes = useSetup((s) => s.outcomes);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  // A new step: its heading takes the focus (not on opening the page).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  const leave = () => {
    dismissSetup();
    window.location.hash = routeHref('dashboard');
  };
  const index = SETUP_STEPS.findIndex((s) => s.id === step);

  return (
    <section className="page setup-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Set up Home Security Intelligence</h1>
        <button type="button" className="button" onClick={leave}>
          Leave setup
        </button>
      </header>
      <nav aria-label="Setup steps" className="setup-stepper">
        <ol>
          {SETUP_STEPS.map((s, i) => {
            const done = outcomes[s.id] !== undefined;
            return (
              <li key={s.id}>
                <button
                  type="button"
                  className="setup-stepper-button"
                  aria-current={s.id === step ? 'step' : undefined}
                  onClick={() => goToStep(s.id)}
                >
                  <span className="setup-stepper-number" aria-hidden="true">
                    {done && s.id !== step ? '✓' : i + 1}
                  </span>
                  {s.title}
                  {done && <span className="visually-hidden"> (done)</span>}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      <p className="muted">
        Step {index + 1} of {SETUP_STEPS.length}
      </p>
      <Step key={step} id={step} headingRef={headingRef} />
    </section>
  );
}
