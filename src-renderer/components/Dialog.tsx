import type { KeyboardEvent, ReactNode, RefObject } from 'react';
import { useLayoutEffect, useRef } from 'react';
import { tabWrapTarget } from '../keyboard';

interface DialogProps {
  /** id of the element naming the dialog (its heading). */
  labelledBy: string;
  describedBy?: string;
  /** Called when the dialog closes itself (Escape). */
  onClose: () => void;
  /** Where focus goes when the dialog opens (default: the browser's choice). */
  initialFocus?: RefObject<HTMLElement | null>;
  className?: string;
  children: ReactNode;
}

/**
 * A modal dialog on the native `<dialog>`: focus is kept inside, the page behind is inert,
 * Escape closes it and focus returns to where it was. The parent unmounts it to close it.
 * Tab wraps round from the last control to the first (and Shift+Tab back): the browser would
 * otherwise move on to its own toolbar, or to nothing in the desktop app.
 */
export function Dialog({
  labelledBy,
  describedBy,
  onClose,
  initialFocus,
  className,
  children,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    initialFocus?.current?.focus();
    // Closing (rather than just removing) returns focus to the element that opened it.
    return () => {
      if (dialog.open) dialog.close();
    };
  }, [initialFocus]);

  const handleClose = () => {
    const dialog = ref.current;
    // Ignore the close event of our own clean-up (unmounted, or reopened right away).
    if (!dialog || dialog.open) return;
    onClose();
  };

  const keepTabInside = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const dialog = ref.current;
    if (!dialog) return;
    const target = tabWrapTarget(dialog, document.activeElement, e.shiftKey);
    if (!target) return;
    e.preventDefault();
    target.focus();
  };

  return (
    <dialog
      ref={ref}
      role="dialog"
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      className={className ? `dialog ${className}` : 'dialog'}
      onClose={handleClose}
      onKeyDown={keepTabInside}
    >
      {children}
    </dialog>
  );
}
