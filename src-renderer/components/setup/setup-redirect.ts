import { useEffect } from 'react';
import { useCameras } from '../../queries';
import { routeHref } from '../../routes';
import { shouldOpenSetup, useSetup } from '../../setup-state';

/**
 * Opens the setup wizard when the app starts at its root address with no camera and setup not
 * finished or left. Only the root: a page asked for by address (or a link clicked meanwhile)
 * stays.
 */
export function useSetupRedirect(live: boolean): void {
  const cameras = useCameras();
  const dismissed = useSetup((s) => s.dismissed);
  const count = cameras.data?.length;
  useEffect(() => {
    if (!live || count === undefined) return;
    if (shouldOpenSetup(window.location.hash, count, dismissed)) {
      window.location.hash = routeHref('setup');
    }
  }, [live, count, dismissed]);
}
