import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { plural } from '../format';
import { keys } from '../server-state';

/**
 * "Ignore here": after repeated false positives of one class at the same spot of a camera,
 * offers a suppression region there (an ignore zone, shown and removable in Cameras & Zones).
 */
export function IgnoreOfferPanel({ eventId }: { eventId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const offer = useQuery({
    queryKey: keys.ignoreOffer(eventId),
    queryFn: () => api.invoke('events.ignoreOffer', { id: eventId }),
  });
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const o = offer.data;
  if (!o && !note) return null;
  const ignore = async () => {
    if (!o) return;
    setError('');
    try {
      await api.invoke('zones.create', {
        cameraId: o.cameraId,
        name: `Ignore ${o.objectClass} here`,
        kind: 'ignore',
        points: o.points,
        objectClasses: [o.objectClass],
      });
      setNote(
        `${o.objectClass} detections here no longer raise events (they are still kept). Remove the region in Cameras & Zones.`,
      );
      void qc.invalidateQueries({ queryKey: keys.zones(o.cameraId) });
      void qc.invalidateQueries({ queryKey: keys.ignoreOffer(eventId) });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section className="notice ignore-offer" aria-labelledby={`ignore-offer-${eventId}`}>
      <h3 id={`ignore-offer-${eventId}`} className="subheading">
        The same false positive keeps coming back
      </h3>
      {o && (
        <>
          <p>
            You marked {plural(o.eventIds.length, 'false positive')} of {o.objectClass} at this spot
            on this camera.
          </p>
          <button type="button" className="button" onClick={() => void ignore()}>
            Ignore {o.objectClass} here
          </button>
        </>
      )}
      <p role="status" className="status-line">
        {note}
      </p>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
