import { useEffect, useState } from 'react';
import { RISK_LEVELS } from '../../src-shared/domain';
import type { RiskLevel } from '../../src-shared/domain';
import { riskClass } from '../risk';
import { eventHref } from '../routes';
import type { Toast } from '../stores/toasts';
import { TOAST_MS, useToasts } from '../stores/toasts';
import { RiskBadge } from './RiskBadge';

function asRiskLevel(value: string): RiskLevel | null {
  return (RISK_LEVELS as readonly string[]).includes(value) ? (value as RiskLevel) : null;
}

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToasts((s) => s.dismiss);
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const paused = hovered || focused;

  // Hides itself after TOAST_MS; the time starts again once pointer and focus have left.
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => dismiss(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [paused, dismiss, toast.id]);

  const level = toast.severity ? asRiskLevel(toast.severity) : null;
  return (
    <div
      className={level ? `toast ${riskClass(level)}` : 'toast'}
      data-testid="toast"
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) setFocused(false);
      }}
    >
      <div className="toast-head">
        {level && <RiskBadge level={level} />}
        <p className="toast-title">{toast.title}</p>
        <button
          type="button"
          className="toast-close"
          aria-label={`Dismiss notification ${toast.title}`}
          onClick={() => dismiss(toast.id)}
        >
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {toast.body && <p className="toast-body">{toast.body}</p>}
      {toast.eventId && (
        <a className="toast-link" href={eventHref(toast.eventId)} onClick={() => dismiss(toast.id)}>
          Open event
        </a>
      )}
      {toast.link && (
        <a className="toast-link" href={toast.link.href} onClick={() => dismiss(toast.id)}>
          {toast.link.label}
        </a>
      )}
    </div>
  );
}

/**
 * Toasts (top right): desktop notifications and the app's own notes. The live region is only
 * in the page while it has something to say, so a page's own status line stays the only
 * `status` otherwise.
 */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-label="Notifications">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
}
