import { useState } from 'react';

/**
 * A component's actions, one at a time: `busy` while one runs (buttons disable), and the
 * error of the last one kept for an `ErrorNotice` (cleared when the next starts).
 */
export function useBusyAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
