/** Acknowledging and dismissing alerts, one or a selection, with the cache kept current. */
import type { QueryClient } from '@tanstack/react-query';
import type { Alert } from '../src-shared/domain';
import type { RendererClient } from './api';
import { errorMessage } from './api';
import { cacheAlert } from './server-state';

export type AlertAction = 'acknowledge' | 'dismiss';

/** Whether the action changes the alert (acknowledge: active; dismiss: not yet dismissed). */
export function canAct(alert: Alert, action: AlertAction): boolean {
  return action === 'acknowledge' ? alert.status === 'active' : alert.status !== 'dismissed';
}

/** Acknowledges or dismisses one alert; throws the server's error. */
export async function actOn(
  api: RendererClient,
  qc: QueryClient,
  id: string,
  action: AlertAction,
): Promise<Alert> {
  const alert = await api.invoke(
    action === 'acknowledge' ? 'alerts.acknowledge' : 'alerts.dismiss',
    { id },
  );
  cacheAlert(qc, alert);
  return alert;
}

/**
 * Does it to each alert in turn (the API has no bulk call, and this keeps the server's queue
 * short); resolves to how many succeeded and the first error.
 */
export async function actOnEach(
  api: RendererClient,
  qc: QueryClient,
  alerts: readonly Alert[],
  action: AlertAction,
  done: (id: string) => void,
): Promise<{ done: number; failed: number; error: string | null }> {
  let ok = 0;
  let failed = 0;
  let error: string | null = null;
  for (const alert of alerts) {
    try {
      await actOn(api, qc, alert.id, action);
      ok++;
    } catch (err) {
      failed++;
      error ??= errorMessage(err);
    }
    done(alert.id);
  }
  return { done: ok, failed, error };
}
