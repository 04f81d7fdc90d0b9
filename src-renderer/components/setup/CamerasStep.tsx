import { useQueryClient } from '@tanstack/react-query';
import type { RefObject } from 'react';
import type { Camera } from '../../../src-shared/domain';
import { plural } from '../../format';
import { useCameras } from '../../queries';
import { cacheCamera } from '../../server-state';
import { addSetupCamera, completeStep, useSetup } from '../../setup-state';
import { CopyField } from './CopyField';
import { SetupCameraForm } from './SetupCameraForm';
import { SetupFtp } from './SetupFtp';
import { StepFrame } from './StepFrame';

function CameraFolder({ camera }: { camera: Camera }) {
  return (
    <li className="panel setup-camera" data-testid={`setup-camera-${camera.id}`}>
      <h3>{camera.name}</h3>
      <CopyField
        id={`setup-folder-${camera.id}`}
        label="Upload folder"
        value={camera.folder}
        hint="Enter this path as the upload destination in the camera's FTP/SMB settings (or save its snapshots there)."
      />
    </li>
  );
}

export function CamerasStep({ headingRef }: { headingRef: RefObject<HTMLHeadingElement | null> }) {
  const qc = useQueryClient();
  const ids = useSetup((s) => s.cameraIds);
  const all = useCameras().data ?? [];
  const made = all.filter((c) => ids.includes(c.id));

  const onCreated = (camera: Camera) => {
    cacheCamera(qc, camera);
    addSetupCamera(camera.id);
  };
  const names = made.map((c) => c.name).join(', ');

  return (
    <StepFrame
      title="Add your cameras"
      headingRef={headingRef}
      intro="Each camera sends its snapshots (motion pictures) to a folder on this computer; every one is checked for people, vehicles and animals."
      onNext={() =>
        completeStep(
          'cameras',
          made.length > 0 ? `${plural(made.length, 'camera')} added: ${names}` : 'No camera added',
        )
      }
      nextDisabled={all.length === 0}
      onSkip={() => completeStep('cameras', 'Skipped')}
    >
      {all.length > made.length && (
        <p className="muted">
          {plural(all.length - made.length, 'camera')} set up already — see Cameras &amp; Zones.
        </p>
      )}
      <SetupCameraForm onCreated={onCreated} />
      {made.length > 0 && (
        <ul className="setup-camera-list" aria-label="Cameras added">
          {made.map((camera) => (
            <CameraFolder key={camera.id} camera={camera} />
          ))}
        </ul>
      )}
      <SetupFtp cameras={made} />
    </StepFrame>
  );
}
