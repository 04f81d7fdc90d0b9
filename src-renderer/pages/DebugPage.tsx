import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ChannelInput } from '../../src-shared/contract';
import { READ_ONLY_CHANNELS } from '../../src-shared/contract';
import type { ChannelName } from '../../src-shared/contract';
import type { DebugRecording, LogLevel, ReplayResult } from '../../src-shared/domain';
import { LOG_LEVELS } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { dateTime } from '../format';
import { useSettings } from '../queries';

/** How often the live panels (breakers, batches, a tailing log) are read again. */
const LIVE_MS = 2000;

function ErrorLine({ error }: { error: unknown }) {
  return (
    <p className="notice notice-error" role="alert">
      {errorMessage(error)}
    </p>
  );
}

/** The effective configuration (secrets redacted), filtered by a search. */
function ConfigPanel() {
  const api = useApi();
  const [q, setQ] = useState('');
  const config = useQuery({
    queryKey: ['debug', 'config'],
    queryFn: () => api.invoke('debug.config', {}),
  });
  const lines = config.data ? JSON.stringify(config.data, null, 2).split('\n') : [];
  const shown = q ? lines.filter((l) => l.toLowerCase().includes(q.toLowerCase())) : lines;
  return (
    <section className="panel" aria-labelledby="debug-config">
      <h2 id="debug-config">Configuration</h2>
      <p className="muted">As the app runs with it; every secret shows as [REDACTED].</p>
      <input
        type="search"
        className="debug-search"
        aria-label="Search the configuration"
        placeholder="Search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      {config.isError && <ErrorLine error={config.error} />}
      <pre
        role="region"
        className="debug-json"
        data-testid="debug-config"
        tabIndex={0}
        aria-label="Effective configuration"
      >
        {shown.join('\n')}
      </pre>
    </section>
  );
}

/** Circuit breakers and open batches, read again every two seconds. */
function LivePanel() {
  const api = useApi();
  const breakers = useQuery({
    queryKey: ['debug', 'breakers'],
    queryFn: () => api.invoke('debug.breakers', {}),
    refetchInterval: LIVE_MS,
  });
  const pipeline = useQuery({
    queryKey: ['debug', 'pipeline'],
    queryFn: () => api.invoke('debug.pipeline', {}),
    refetchInterval: LIVE_MS,
  });
  const connections = useQuery({
    queryKey: ['debug', 'connections'],
    queryFn: () => api.invoke('debug.connections', {}),
    refetchInterval: LIVE_MS,
  });
  const batches = useQuery({
    queryKey: ['debug', 'openBatches'],
    queryFn: () => api.invoke('debug.openBatches', {}),
    refetchInterval: LIVE_MS,
  });
  return (
    <section className="panel" aria-labelledby="debug-live">
      <h2 id="debug-live">Pipeline, breakers, connections and open batches</h2>
      {pipeline.isError && <ErrorLine error={pipeline.error} />}
      <table className="debug-table">
        <caption>Pipeline stages (read again every 2 s)</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Waiting</th>
            <th scope="col">In flight</th>
            <th scope="col">Workers</th>
            <th scope="col">Last minute</th>
            <th scope="col">Oldest wait</th>
            <th scope="col">Newest error</th>
          </tr>
        </thead>
        <tbody>
          {(pipeline.data ?? []).map((st) => (
            <tr key={st.stage}>
              <td>{st.stage}</td>
              <td>{st.queueDepth}</td>
              <td>{st.inFlight}</td>
              <td>{st.workers ?? '—'}</td>
              <td>{st.perMinute ?? '—'}</td>
              <td>{st.oldestWaitingSeconds === null ? '—' : `${st.oldestWaitingSeconds} s`}</td>
              <td>
                {st.lastErrors[0]
                  ? `${dateTime(st.lastErrors[0].at)}: ${st.lastErrors[0].message}`
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {breakers.isError && <ErrorLine error={breakers.error} />}
      <table className="debug-table">
        <caption>Circuit breakers</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Failures</th>
            <th scope="col">Opened</th>
            <th scope="col">Next trial</th>
          </tr>
        </thead>
        <tbody>
          {(breakers.data ?? []).map((b) => (
            <tr key={b.name}>
              <td>{b.name}</td>
              <td>{b.state}</td>
              <td>{b.failures}</td>
              <td>{b.openedAt ? dateTime(b.openedAt) : '—'}</td>
              <td>{b.nextTrialAt ? dateTime(b.nextTrialAt) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="debug-table">
        <caption>Connected windows and clients (receiving pushes)</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Origin</th>
            <th scope="col">Since</th>
            <th scope="col">Sent</th>
            <th scope="col">Dropped</th>
          </tr>
        </thead>
        <tbody>
          {(connections.data ?? []).map((c) => (
            <tr key={c.id}>
              <td>{c.kind}</td>
              <td>{c.origin ?? '—'}</td>
              <td>{dateTime(c.connectedSince)}</td>
              <td>{c.sent}</td>
              <td>{c.dropped}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {batches.data && batches.data.length === 0 && (
        <p className="muted">No batch is open: nothing is being grouped into an event right now.</p>
      )}
      {batches.data && batches.data.length > 0 && (
        <ul>
          {batches.data.map((b) => (
            <li key={b.cameraId}>
              {b.cameraId}: {b.detections} detections since {dateTime(b.openedAt)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The root's and each module's log level, set without a restart. */
function LogLevelPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const levels = useQuery({
    queryKey: ['debug', 'logLevel'],
    queryFn: () => api.invoke('debug.logLevel', {}),
  });
  const [module, setModule] = useState('');
  const [level, setLevel] = useState<LogLevel>('debug');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const apply = async () => {
    setError(null);
    try {
      const input: ChannelInput<'debug.logLevel'> = {
        level,
        ...(module.trim() && { module: module.trim() }),
      };
      const next = await api.invoke('debug.logLevel', input);
      qc.setQueryData(['debug', 'logLevel'], next);
      setNote(`${module.trim() || 'All modules'}: ${level} (was ${next.previous ?? '?'})`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="panel" aria-labelledby="debug-levels">
      <h2 id="debug-levels">Log levels</h2>
      {levels.data && (
        <p data-testid="debug-levels">
          All modules: {levels.data.root}
          {Object.entries(levels.data.modules).map(([m, l]) => ` · ${m}: ${l}`)}
        </p>
      )}
      <form
        className="debug-controls"
        aria-label="Set a log level"
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <label>
          Module (empty: all)
          <input
            type="text"
            value={module}
            placeholder="router, events, alerts…"
            onChange={(e) => setModule(e.target.value)}
          />
        </label>
        <label>
          Level
          <select value={level} onChange={(e) => setLevel(e.target.value as LogLevel)}>
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          Set level
        </button>
      </form>
      <p role="status" className="status-line">
        {note}
      </p>
      {error !== null && <ErrorLine error={error} />}
    </section>
  );
}

/** The logs table (info and above), newest first, filtered; live tail reads it again. */
function LogsPanel() {
  const api = useApi();
  const [filter, setFilter] = useState<ChannelInput<'debug.logs'>>({ limit: 100 });
  const [live, setLive] = useState(false);
  const logs = useQuery({
    queryKey: ['debug', 'logs', filter],
    queryFn: () => api.invoke('debug.logs', filter),
    refetchInterval: live ? LIVE_MS : false,
  });
  const set = (key: 'level' | 'module' | 'correlationId' | 'q', value: string) =>
    setFilter((f) => {
      const { [key]: _old, cursor: _cursor, ...rest } = f;
      return value ? { ...rest, [key]: value } : rest;
    });
  return (
    <section className="panel" aria-labelledby="debug-logs">
      <h2 id="debug-logs">Logs</h2>
      <div className="debug-controls">
        <label>
          Level and above
          <select value={filter.level ?? ''} onChange={(e) => set('level', e.target.value)}>
            <option value="">any</option>
            {LOG_LEVELS.filter((l) => l !== 'silent').map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Module
          <input
            type="text"
            value={filter.module ?? ''}
            onChange={(e) => set('module', e.target.value)}
          />
        </label>
        <label>
          Correlation id
          <input
            type="text"
            value={filter.correlationId ?? ''}
            onChange={(e) => set('correlationId', e.target.value)}
          />
        </label>
        <label>
          Text
          <input type="search" value={filter.q ?? ''} onChange={(e) => set('q', e.target.value)} />
        </label>
        <label className="checkbox-row">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} />
          Live tail
        </label>
      </div>
      {logs.isError && <ErrorLine error={logs.error} />}
      {logs.data && logs.data.items.length === 0 && <p className="muted">No log lines match.</p>}
      <ol className="debug-logs" aria-label="Log lines">
        {(logs.data?.items ?? []).map((e) => (
          <li key={e.id} className={`log-${e.level}`}>
            <span className="muted">{dateTime(e.at)}</span> <strong>{e.level}</strong>{' '}
            {e.module && <span>[{e.module}]</span>} {e.message}
            {e.correlationId && (
              <button
                type="button"
                className="link-button"
                onClick={() => set('correlationId', e.correlationId!)}
              >
                {e.correlationId}
              </button>
            )}
          </li>
        ))}
      </ol>
      {logs.data?.nextCursor && (
        <button
          type="button"
          className="button"
          onClick={() => setFilter((f) => ({ ...f, cursor: logs.data.nextCursor! }))}
        >
          Older
        </button>
      )}
    </section>
  );
}

function ReplayOutcome({ result }: { result: ReplayResult }) {
  if (result.matches) return <p role="status">Replayed: matches the recorded output.</p>;
  return (
    <div role="status">
      <p>Replayed: the output differs ({result.diff.length} differences).</p>
      <table className="debug-table">
        <caption>Differences</caption>
        <thead>
          <tr>
            <th scope="col">Where</th>
            <th scope="col">Recorded</th>
            <th scope="col">Now</th>
          </tr>
        </thead>
        <tbody>
          {result.diff.map((d) => (
            <tr key={d.path}>
              <td>{d.path}</td>
              <td>
                <code>{JSON.stringify(d.before)}</code>
              </td>
              <td>
                <code>{JSON.stringify(d.after)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Recorded channel calls; a replay runs one again and compares. */
function RecordingsPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['debug', 'recordings'],
    queryFn: () => api.invoke('debug.recordings.list', { limit: 100 }),
  });
  const [open, setOpen] = useState<DebugRecording | null>(null);
  const [result, setResult] = useState<ReplayResult | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const replay = async (rec: DebugRecording, confirm: boolean) => {
    setError(null);
    setResult(null);
    try {
      setResult(await api.invoke('debug.recordings.replay', { id: rec.id, confirm }));
      void qc.invalidateQueries({ queryKey: ['debug', 'recordings'] });
    } catch (err) {
      setError(err);
    }
  };
  const readOnly = (rec: DebugRecording) => READ_ONLY_CHANNELS.has(rec.channel as ChannelName);
  return (
    <section className="panel" aria-labelledby="debug-recordings">
      <h2 id="debug-recordings">Recorded calls</h2>
      <div className="form-actions">
        <button type="button" className="button" onClick={() => void list.refetch()}>
          Refresh
        </button>
        <button
          type="button"
          className="button"
          onClick={() =>
            void api.invoke('debug.recordings.clear', {}).then(() => {
              setOpen(null);
              return list.refetch();
            })
          }
        >
          Clear
        </button>
      </div>
      {list.isError && <ErrorLine error={list.error} />}
      {list.data && list.data.length === 0 && (
        <p className="muted">
          No calls recorded yet: every call made while debug mode is on lands here.
        </p>
      )}
      <table className="debug-table">
        <caption>Newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Channel</th>
            <th scope="col">Outcome</th>
            <th scope="col">ms</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((r) => (
            <tr key={r.id} aria-selected={open?.id === r.id}>
              <td>{dateTime(r.at)}</td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setOpen(r);
                    setResult(null);
                  }}
                >
                  {r.channel}
                </button>
                {r.replayOf && <span className="muted"> (replay)</span>}
              </td>
              <td>{r.ok ? 'ok' : r.code}</td>
              <td>{r.durationMs.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && (
        <article className="debug-recording" aria-label={`Call to ${open.channel}`}>
          <h3 className="subheading">{open.channel}</h3>
          <p className="muted">
            {open.transport} · correlation id {open.correlationId}
            {open.truncated && ' · output cut (too long to keep)'}
          </p>
          <h4>Input</h4>
          <pre role="region" className="debug-json" tabIndex={0} aria-label="Input">
            {JSON.stringify(open.input, null, 2)}
          </pre>
          <h4>Output</h4>
          <pre role="region" className="debug-json" tabIndex={0} aria-label="Output">
            {typeof open.output === 'string' ? open.output : JSON.stringify(open.output, null, 2)}
          </pre>
          <button
            type="button"
            className="button button-primary"
            onClick={() => (readOnly(open) ? void replay(open, false) : setConfirming(true))}
          >
            Replay
          </button>
          {result && <ReplayOutcome result={result} />}
          {error !== null && <ErrorLine error={error} />}
        </article>
      )}
      {confirming && open && (
        <ConfirmDialog
          id="debug-replay"
          title={`Replay ${open.channel}?`}
          text="This call changes data: replaying it does so again, with the recorded input (secrets in it are gone)."
          confirmLabel="Replay"
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            await replay(open, true);
          }}
        />
      )}
    </section>
  );
}

/** `#/debug`: what the running app is doing (debug mode only). */
export function DebugPage() {
  const settings = useSettings();
  const on = settings.data?.debug === true;
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Debug</h1>
      </header>
      {settings.data && !on && (
        <p className="notice">
          Debug mode is off. Turn it on in Settings to see the configuration, logs and recorded
          calls here.
        </p>
      )}
      {on && (
        <>
          <RecordingsPanel />
          <LogLevelPanel />
          <LogsPanel />
          <LivePanel />
          <ConfigPanel />
        </>
      )}
    </section>
  );
}
