import { useState } from 'react';
import type { SecurityEvent } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';

type Patch = { reviewed?: boolean; falsePositive?: boolean; notes?: string };

/** Reviewed and false-positive toggles (saved at once) and the event's notes. */
export function EventReview({
  event,
  onSaved,
}: {
  event: SecurityEvent;
  onSaved: (event: SecurityEvent) => void;
}) {
  const api = useApi();
  const [notes, setNotes] = useState(event.notes);
  const [notesDirty, setNotesDirty] = useState(false);
  const [pending, setPending] = useState<Partial<Record<keyof Patch, boolean>>>({});
  // Optimistic values while a toggle is being saved.
  const [shown, setShown] = useState<{ reviewed?: boolean; falsePositive?: boolean }>({});
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = (patch: Patch, field: keyof Patch, done: string) => {
    setPending((p) => ({ ...p, [field]: true }));
    setStatus(null);
    setError(null);
    api.invoke('events.update', { id: event.id, ...patch }).then(
      (updated) => {
        setPending((p) => ({ ...p, [field]: false }));
        setShown((s) => ({ ...s, [field]: undefined }));
        if (field === 'notes') setNotesDirty(false);
        setStatus(done);
        onSaved(updated);
      },
      (err: unknown) => {
        setPending((p) => ({ ...p, [field]: false }));
        setShown((s) => ({ ...s, [field]: undefined }));
        setError(`Could not save: ${errorMessage(err)}`);
      },
    );
  };

  const reviewed = shown.reviewed ?? event.reviewed;
  const falsePositive = shown.falsePositive ?? event.falsePositive;
  const notesValue = notesDirty ? notes : event.notes;

  return (
    <section className="event-review" aria-labelledby="event-review-title">
      <h3 id="event-review-title" className="subheading">
        Review
      </h3>
      <div className="checkbox-row">
        <input
          id="event-reviewed-toggle"
          type="checkbox"
          checked={reviewed}
          disabled={pending.reviewed}
          onChange={(e) => {
            const value = e.target.checked;
            setShown((s) => ({ ...s, reviewed: value }));
            save({ reviewed: value }, 'reviewed', value ? 'Marked reviewed' : 'Marked unreviewed');
          }}
        />
        <label htmlFor="event-reviewed-toggle">Reviewed</label>
      </div>
      <div className="checkbox-row">
        <input
          id="event-fp-toggle"
          type="checkbox"
          checked={falsePositive}
          disabled={pending.falsePositive}
          onChange={(e) => {
            const value = e.target.checked;
            setShown((s) => ({ ...s, falsePositive: value }));
            save(
              { falsePositive: value },
              'falsePositive',
              value ? 'Marked as a false positive' : 'No longer marked as a false positive',
            );
          }}
        />
        <label htmlFor="event-fp-toggle">Mark false positive</label>
      </div>
      <div className="field event-notes">
        <label htmlFor="event-notes">Notes</label>
        <textarea
          id="event-notes"
          rows={3}
          maxLength={5000}
          value={notesValue}
          onChange={(e) => {
            setNotes(e.target.value);
            setNotesDirty(true);
          }}
        />
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="button button-small"
          disabled={pending.notes || !notesDirty}
          onClick={() => save({ notes }, 'notes', 'Notes saved')}
        >
          Save notes
        </button>
        <span className="status-line" role="status">
          {status}
        </span>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
