import type { Camera } from '../../../src-shared/domain';
import { useCameras } from '../../queries';
import { useSetup } from '../../setup-state';

/** The cameras made in the wizard that still exist; none made: every camera. */
export function useSetupCameras(): { cameras: Camera[]; all: Camera[]; loading: boolean } {
  const query = useCameras();
  const ids = useSetup((s) => s.cameraIds);
  const all = query.data ?? [];
  const made = all.filter((c) => ids.includes(c.id));
  return { cameras: made.length > 0 ? made : all, all, loading: query.isPending };
}
