import type { ReactNode, RefObject } from 'react';

/** One wizard step: its heading (focused when the step opens), its content, and its actions. */
export function StepFrame({
  title,
  headingRef,
  intro,
  children,
  onSkip,
  onNext,
  nextLabel = 'Continue',
  nextDisabled = false,
}: {
  title: string;
  headingRef: RefObject<HTMLHeadingElement | null>;
  intro?: ReactNode;
  children: ReactNode;
  /** Absent: the step cannot be skipped (Finish). */
  onSkip?: () => void;
  onNext?: () => void;
  nextLabel?: string;
  nextDisabled?: boolean;
}) {
  return (
    <section className="setup-step" aria-labelledby="setup-step-title">
      <h2 id="setup-step-title" ref={headingRef} tabIndex={-1}>
        {title}
      </h2>
      {intro && <p className="page-intro">{intro}</p>}
      {children}
      <div className="form-actions setup-actions">
        {onNext && (
          <button
            type="button"
            className="button button-primary"
            disabled={nextDisabled}
            onClick={onNext}
          >
            {nextLabel}
          </button>
        )}
        {onSkip && (
          <button type="button" className="button" onClick={onSkip}>
            Skip
          </button>
        )}
      </div>
    </section>
  );
}
