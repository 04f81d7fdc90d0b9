import { zodResolver } from '@hookform/resolvers/zod';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import type { ChannelInput } from '../../src-shared/contract';
import { eventFeedbackSchema } from '../../src-shared/contract';
import { FEEDBACK_TYPES, RISK_LEVELS } from '../../src-shared/domain';
import { ApiError, errorMessage } from '../api';
import { useApi } from '../app-context';
import { FEEDBACK_LABELS, RISK_LABELS } from '../risk';
import { keys } from '../server-state';

const feedbackForm = z.object({
  type: z.union([z.enum(FEEDBACK_TYPES), z.literal('')]),
  expectedSeverity: z.union([z.enum(RISK_LEVELS), z.literal('')]),
  notes: z.string(),
});
type V = z.input<typeof feedbackForm>;
type FeedbackInput = ChannelInput<'events.feedback'>;

/** The form → the feedback for this event (a kind is required; a level when it is "severity"). */
function feedbackFormSchema(eventId: string) {
  return feedbackForm
    .transform((f, ctx): FeedbackInput => {
      if (f.type === '') {
        ctx.addIssue({
          code: 'custom',
          path: ['type'],
          message: 'Choose what kind of feedback this is',
        });
        return z.NEVER;
      }
      if (f.type === 'severity_wrong' && f.expectedSeverity === '') {
        ctx.addIssue({
          code: 'custom',
          path: ['expectedSeverity'],
          message: 'Choose the expected severity',
        });
        return z.NEVER;
      }
      const notes = f.notes.trim();
      return {
        eventId,
        type: f.type,
        ...(notes && { notes }),
        ...(f.type === 'severity_wrong' &&
          f.expectedSeverity !== '' && { expectedSeverity: f.expectedSeverity }),
      };
    })
    .pipe(eventFeedbackSchema);
}

type Outcome = 'recorded' | 'already' | null;

/** Tells the system how it did on this event (once per event). */
export function EventFeedbackForm({ eventId }: { eventId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const schema = useMemo(() => feedbackFormSchema(eventId), [eventId]);
  const form = useForm<V, unknown, FeedbackInput>({
    defaultValues: { type: '', expectedSeverity: '', notes: '' },
    resolver: zodResolver(schema),
  });
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const type = useWatch({ control: form.control, name: 'type' });
  const done = outcome !== null;
  const { errors } = form.formState;
  const error = errors.type?.message ?? errors.expectedSeverity?.message ?? sendError;

  const send = (input: FeedbackInput) => {
    if (busy || done) return;
    setBusy(true);
    setSendError(null);
    api.invoke('events.feedback', input).then(
      () => {
        setBusy(false);
        setOutcome('recorded');
        void qc.invalidateQueries({ queryKey: keys.calibration }); // feedback moves thresholds
        void qc.invalidateQueries({ queryKey: keys.calibrationSuggest });
        // A false positive may be the one that makes "ignore here" worth offering.
        void qc.invalidateQueries({ queryKey: keys.ignoreOffer(eventId) });
      },
      (err: unknown) => {
        setBusy(false);
        if (err instanceof ApiError && err.code === 'conflict') setOutcome('already');
        else setSendError(`Could not send feedback: ${errorMessage(err)}`);
      },
    );
  };

  return (
    <form
      className="event-feedback"
      aria-labelledby="event-feedback-title"
      onSubmit={(e) => void form.handleSubmit(send)(e)}
    >
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
            <input type="radio" value={t} {...form.register('type')} />
            {FEEDBACK_LABELS[t]}
          </label>
        ))}
      </fieldset>
      {type === 'severity_wrong' && (
        <div className="field">
          <label htmlFor="event-feedback-expected">Expected severity</label>
          <select
            id="event-feedback-expected"
            disabled={done}
            {...form.register('expectedSeverity')}
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
          disabled={done}
          {...form.register('notes')}
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
