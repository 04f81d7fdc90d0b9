import { useEffect, useRef } from 'react';
import { useCameras } from '../../queries';
import { routeHref } from '../../routes';
import { shouldOpenSetup, useSetup } from '../../setup-state';

/**
 * Opens the setup wizard once, when the window opened at the app's root (`enabled`), the camera
 * list has loaded empty, and setup is not finished or left. A page asked for by address, or one
 * clicked to meanwhile, stays.
 */
export function useSetupRedirect(enabled: boolean): void {
  const cameras = useCameras();
  const dismissed = useSetup((s) => s.dismissed);
  const decided = useRef(false);
  const count = cameras.data?.length;
  useEffect(() => {
    if (!enabled || decided.current || count === undefined) return;
    decided.current = true;
    if (shouldOpenSetup(window.location.hash, count, dismissed)) {
      window.location.hash = routeHref('setup');
    }
  }, [enabled, count, dismissed]);
}
