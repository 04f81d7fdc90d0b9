/** A retention dry run's report, and a real run started from here (it shows as a job). */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { RetentionReport } from '../../src-shared/retention';
import { useApi } from '../app-context';
import { dateTime, fileSizeText, plural } from '../format';
import { cacheJob } from '../server-state';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice } from './ErrorNotice';
import type { NumbersColumn } from './NumbersTable';
import { NumbersTable } from './NumbersTable';

interface ReportRow {
  what: string;
  count: string;
  /** Due when older than this (ISO), or null where no age applies. */
  before: string | null;
}

function reportRows(r: RetentionReport): ReportRow[] {
  const row = (what: string, n: number, before: string | null = null): ReportRow => ({
    what,
    count: n.toLocaleString(),
    before,
  });
  return [
    row('Events', r.events, r.cutoffs.events),
    row('Detections', r.detections, r.cutoffs.events),
    row('Snapshots', r.images, r.cutoffs.events),
    row('Log lines', r.logs, r.cutoffs.logs),
    row('Page performance samples', r.rum, r.cutoffs.rum),
    row('Finished jobs', r.jobs, r.cutoffs.jobs),
    row('Debug recordings', r.recordings, r.cutoffs.recordings),
    row('Files', r.files),
    { what: 'Space freed', count: fileSizeText(r.bytes), before: null },
    row('Orphan files (no row)', r.orphanFiles),
    row('Orphan rows (file gone)', r.orphanRows),
    row('Kept for active alerts or exports', r.protected),
    row('Could not be deleted', r.failed),
  ];
}

const COLUMNS: readonly NumbersColumn<ReportRow>[] = [
  { header: 'What', cell: (r) => r.what },
  { header: 'Count', cell: (r) => r.count, numeric: true },
  {
    header: 'Older than',
    cell: (r) => (r.before ? <time dateTime={r.before}>{dateTime(r.before)}</time> : '—'),
  },
];

/** What the run's confirmation says the last preview found. */
function runText(report: RetentionReport | null): string {
  const found = report
    ? `The last preview found ${plural(report.events, 'event')} and ${plural(report.files, 'file')} (${fileSizeText(report.bytes)}) to delete.`
    : 'Preview first to see what it would delete.';
  return `Run retention now? Data older than the saved settings allow is deleted for good. ${found}`;
}

export function RetentionPreview() {
  const api = useApi();
  const qc = useQueryClient();
  const [report, setReport] = useState<RetentionReport | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState('');
  const [failure, setFailure] = useState<{ what: string; error: unknown } | null>(null);

  const preview = async () => {
    setPreviewing(true);
    setMessage('');
    setFailure(null);
    try {
      setReport(await api.invoke('retention.preview', {}));
    } catch (error) {
      setFailure({ what: 'preview retention', error });
    } finally {
      setPreviewing(false);
    }
  };

  const run = async () => {
    setConfirming(false);
    setMessage('');
    setFailure(null);
    try {
      cacheJob(qc, await api.invoke('retention.run', { dryRun: false }));
      setMessage('Retention run started: its progress is in Background jobs.');
    } catch (error) {
      setFailure({ what: 'start a retention run', error });
    }
  };

  return (
    <div className="retention-run" aria-busy={previewing}>
      <h3>Preview and run</h3>
      <p className="field-hint">Both use the saved settings.</p>
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={previewing}
          onClick={() => void preview()}
        >
          {previewing ? 'Previewing…' : 'Preview (dry run)'}
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={previewing}
          onClick={() => setConfirming(true)}
        >
          Run retention now
        </button>
        <p role="status" className="status-line">
          {previewing ? 'Counting what a run would delete…' : message}
        </p>
      </div>
      {failure && <ErrorNotice error={failure.error} prefix={`Could not ${failure.what}`} />}
      {report && (
        <div className={previewing ? 'table-wrap is-stale' : 'table-wrap'}>
          <NumbersTable
            caption="What a retention run would delete now (dry run)"
            rows={reportRows(report)}
            rowKey={(r) => r.what}
            columns={COLUMNS}
          />
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          id="retention-run"
          title="Run retention now"
          text={runText(report)}
          confirmLabel="Run retention"
          onConfirm={() => {
            void run();
            return Promise.resolve();
          }}
          onCancel={() => setConfirming(false)}
        />
      )}
    </div>
  );
}
