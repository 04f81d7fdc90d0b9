import { useRef, useState } from 'react';
import { errorMessage } from '../api';
import { Dialog } from './Dialog';

interface ConfirmDialogProps {
  id: string;
  title: string;
  text: string;
  confirmLabel: string;
  /** Does the work; a thrown error is shown in the dialog, which stays open. */
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}

/** "Are you sure?" for a destructive action; focus starts on Cancel. */
export function ConfirmDialog({
  id,
  title,
  text,
  confirmLabel,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  const confirm = () => {
    setBusy(true);
    setError(null);
    onConfirm().catch((err: unknown) => {
      setError(errorMessage(err));
      setBusy(false);
    });
  };

  return (
    <Dialog
      labelledBy={`${id}-title`}
      describedBy={`${id}-text`}
      onClose={onCancel}
      initialFocus={cancelRef}
      className="dialog-narrow"
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <p id={`${id}-text`}>{text}</p>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button button-danger" disabled={busy} onClick={confirm}>
          {confirmLabel}
        </button>
        <button type="button" className="button" ref={cancelRef} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
