import type { FormEvent } from 'react';
import { useState } from 'react';
import type { FeedbackType, RiskLevel } from '../../src-shared/domain';
import { FEEDBACK_TYPES, RISK_LEVELS } from '../../src-shared/domain';
import { ApiError, api, errorMessage } from '../api';
import { RISK_LABELS } from '../risk';

const FEEDBACK_LABELS: Record<FeedbackType, string> = {
  correct: 'Correct',
  false_positive: 'False positive',
  missed_threat: 'Missed threat',
  severity_wrong: 'Severity wrong',
};

type Outcome = 'recorded' | 'already' | null;

/** Tells the system how it did on this event (once per event). */
export function EventFeedbackForm({ eventId }: { eventId: string }) {
  const [type, setType] = useState<FeedbackType | null>(null);
  const [expected, setExpected] = useState<RiskLevel | ''>('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [error, setError] = useState<string | null>(null);

  const done = outcome !== null;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy || done) return;
    if (type === null) {
      setError('Choose what kind of feedback this is');
      return;
    }
    if (type === 'severity_wrong' && expected === '') {
      setError('Choose the expected severity');
      return;
    }
    setBusy(true);
    setError(null);
    const notes = comment.trim();
    api
      .invoke('events.feedback', {
        eventId,
        type,
        ...(notes && { notes }),
        ...(type === 'severity_wrong' && expected !== '' && { expectedSeverity: expected }),
      })
      .then(
        () => {
          setBusy(false);
          setOutcome('recorded');
        },
        (err: unknown) => {
          setBusy(false);
          if (err instanceof ApiError && err.code === 'conflict') setOutcome('already');
          else setError(`Could not send feedback: ${errorMessage(err)}`);
        },
      );
  };

  return (
    <form className="event-feedback" aria-labelledby="event-feedback-title" onSubmit={onSubmit}>
      <h3 id="event-feedback-title" className="subheading">
        Was this right?
      </h3>
      <fieldset
        className="feedback-types"
        role="radiogroup"
        aria-labelledby="event-feedback-legend"
        disabled={done}
      >
        <legend id="event-feedback-legend">Feedback</legend>
        {FEEDBACK_TYPES.map((t) => (
          <label key={t} className="radio-row">
            <input
              type="radio"
              name="event-feedback-type"
              value={t}
              checked={type === t}
              onChange={() => {
                setType(t);
                setError(null);
              }}
            />
            {FEEDBACK_LABELS[t]}
          </label>
        ))}
      </fieldset>
      {type === 'severity_wrong' && (
        <div className="field">
          <label htmlFor="event-feedback-expected">Expected severity</label>
          <select
            id="event-feedback-expected"
            value={expected}
            disabled={done}
            onChange={(e) => setExpected(e.target.value as RiskLevel | '')}
          >
            <option value="">Choose a level</option>
            {RISK_LEVELS.map((level) => (
              <option key={level} value={level}>
                {RISK_LABELS[level]}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor="event-feedback-comment">Feedback comment (optional)</label>
        <textarea
          id="event-feedback-comment"
          rows={2}
          maxLength={2000}
          value={comment}
          disabled={done}
          onChange={(e) => setComment(e.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-small" disabled={busy || done}>
          Send feedback
        </button>
        <span className="status-line" role="status">
          {outcome === 'recorded' && 'Feedback recorded'}
        </span>
      </div>
      {outcome === 'already' && (
        <p className="field-error" role="alert">
          Feedback was already given for this event
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
