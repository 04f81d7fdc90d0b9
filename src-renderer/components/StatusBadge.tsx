const TONES: Record<string, string> = {
  online: 'good',
  running: 'good',
  ok: 'good',
  offline: 'bad',
  failed: 'bad',
  stopped: 'muted',
  degraded: 'warn',
  unknown: 'muted',
  // Services (running, stopped, degraded and failed as above)
  starting: 'warn',
  disabled: 'bad',
  // Alerts
  active: 'warn',
  acknowledged: 'good',
  dismissed: 'muted',
  // Deliveries
  pending: 'muted',
  sending: 'warn',
  sent: 'good',
  dead: 'bad',
  suppressed: 'muted',
  // Exports (pending, running and failed as above)
  completed: 'good',
  cancelled: 'muted',
};

/** A small coloured label for a status word from the server (shown as sent). */
export function StatusBadge({
  status,
  label = status,
  title,
}: {
  status: string;
  /** Text to show instead of the status word. */
  label?: string;
  title?: string;
}) {
  const tone = TONES[status] ?? 'muted';
  return (
    <span className={`badge badge-${tone}`} title={title}>
      <span className="badge-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
