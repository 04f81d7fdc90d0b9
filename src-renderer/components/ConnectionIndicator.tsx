import { CONNECTION_LABELS, useConnection } from '../stores/connection';

const HINTS = {
  connected: 'Live updates are on.',
  connecting: 'Connecting to the app backend…',
  disconnected: 'No live updates; retrying.',
} as const;

export function ConnectionIndicator() {
  const state = useConnection((s) => s.state);
  const problem = useConnection((s) => s.problem);
  const hint = problem === 'no-token' ? 'No access token in the page link.' : HINTS[state];
  return (
    <div className={`connection connection-${state}`} data-testid="connection-state" title={hint}>
      <span className="connection-dot" aria-hidden="true" />
      {CONNECTION_LABELS[state]}
    </div>
  );
}
