/** Items background jobs could not process: run them again in a new job, or let them go. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { DeadLetter } from '../../src-shared/domain';
import { useApi } from '../app-context';
import { dateTime, plural } from '../format';
import { jobKindText } from '../operations-data';
import { useDeadLetters } from '../queries';
import { keys } from '../server-state';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice } from './ErrorNotice';

/** The item as one line of JSON, cut short past `max` characters. */
function compactJson(item: unknown, max = 120): string {
  const text = JSON.stringify(item) ?? '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What is being confirmed: one letter's purge, or every letter's. */
type Purging = { letter: DeadLetter } | { all: true };

function LetterRow({
  letter,
  busy,
  onRequeue,
  onPurge,
}: {
  letter: DeadLetter;
  busy: boolean;
  onRequeue: () => void;
  onPurge: () => void;
}) {
  const kind = jobKindText(letter.kind);
  const item = JSON.stringify(letter.item);
  return (
    <tr data-testid="dead-letter-row" data-letter-id={letter.id}>
      <th scope="row" className="cell-name">
        {kind}
        <div className="field-hint">job {letter.jobId}</div>
      </th>
      <td>
        <code className="dead-letter-item" title={item}>
          {compactJson(letter.item)}
        </code>
      </td>
      <td className="job-error-cell">{letter.error}</td>
      <td className="cell-number">{letter.attempts}</td>
      <td>
        <time dateTime={letter.at}>{dateTime(letter.at)}</time>
      </td>
      <td>
        <div className="row-actions">
          <button type="button" className="button button-small" disabled={busy} onClick={onRequeue}>
            Requeue
            <span className="visually-hidden">
              {' '}
              {kind} item {letter.id}
            </span>
          </button>
          <button type="button" className="button button-small" disabled={busy} onClick={onPurge}>
            Purge
            <span className="visually-hidden">
              {' '}
              {kind} item {letter.id}
            </span>
          </button>
        </div>
      </td>
    </tr>
  );
}

export function DeadLetters() {
  const api = useApi();
  const qc = useQueryClient();
  const query = useDeadLetters();
  const letters = query.data?.pages.flatMap((p) => p.items) ?? [];
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [failure, setFailure] = useState<{ what: string; error: unknown } | null>(null);
  const [purging, setPurging] = useState<Purging | null>(null);

  /** Runs an action, says what it did, and reads the list again (whatever happened). */
  const act = async (what: string, work: () => Promise<string>) => {
    setBusy(true);
    setMessage('');
    setFailure(null);
    try {
      setMessage(await work());
    } catch (error) {
      setFailure({ what, error });
    } finally {
      setBusy(false);
      void qc.invalidateQueries({ queryKey: keys.deadLetters });
    }
  };
  const requeued = (r: { requeued: number; jobIds: string[] }) =>
    `Requeued ${plural(r.requeued, 'item')} in ${plural(r.jobIds.length, 'new job')} (see Background jobs).`;
  const requeue = (letter?: DeadLetter) =>
    act(letter ? 'requeue it' : 'requeue them', async () =>
      requeued(
        letter
          ? await api.invoke('jobs.deadLetters.requeue', { id: letter.id })
          : await api.invoke('jobs.deadLetters.requeueAll', {}),
      ),
    );
  const purge = (p: Purging) => {
    setPurging(null);
    return act(
      'purge',
      async () =>
        `Purged ${plural(
          (await api.invoke('jobs.deadLetters.purge', 'letter' in p ? { id: p.letter.id } : {}))
            .purged,
          'item',
        )}.`,
    );
  };

  return (
    <section className="panel ops-area" aria-labelledby="ops-dead-title" data-testid="ops-dead">
      <h2 id="ops-dead-title">Dead letters</h2>
      <p className="field-hint analytics-note">
        Items a background job could not process, newest first, kept with their error until you
        requeue them (a new job runs them again) or purge them.
      </p>
      {query.isError && <ErrorNotice error={query.error} prefix="Could not load dead letters" />}
      {failure && <ErrorNotice error={failure.error} prefix={`Could not ${failure.what}`} />}
      <p className="status-line" role="status">
        {message}
      </p>
      {query.isPending && <p className="muted">Loading…</p>}
      {query.isSuccess && letters.length === 0 && (
        <p className="muted" data-testid="dead-letters-empty">
          No dead letters: every job item was processed.
        </p>
      )}
      {letters.length > 0 && (
        <>
          <div className="form-actions">
            <button type="button" className="button" disabled={busy} onClick={() => void requeue()}>
              Requeue all
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={busy}
              onClick={() => setPurging({ all: true })}
            >
              Purge all
            </button>
          </div>
          <div className="table-wrap">
            <table className="table table-compact job-table">
              <caption className="visually-hidden">Dead letters, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Job kind</th>
                  <th scope="col">Item</th>
                  <th scope="col">Error</th>
                  <th scope="col" className="cell-number">
                    Attempts
                  </th>
                  <th scope="col">When</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {letters.map((letter) => (
                  <LetterRow
                    key={letter.id}
                    letter={letter}
                    busy={busy}
                    onRequeue={() => void requeue(letter)}
                    onPurge={() => setPurging({ letter })}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {query.hasNextPage && (
            <button
              type="button"
              className="button"
              disabled={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          )}
        </>
      )}
      {purging && (
        <ConfirmDialog
          id="purge-dead-letters"
          title={'letter' in purging ? 'Purge this dead letter' : 'Purge every dead letter'}
          text={
            'letter' in purging
              ? `Purge the ${jobKindText(purging.letter.kind)} item ${compactJson(purging.letter.item, 60)}? It will not be run again.`
              : `Purge every dead letter (${plural(letters.length, 'item')} loaded${query.hasNextPage ? ', and more' : ''})? None of them will be run again.`
          }
          confirmLabel="Purge"
          onConfirm={() => purge(purging)}
          onCancel={() => setPurging(null)}
        />
      )}
    </section>
  );
}
