import { useEffect, useRef, useState } from 'react';

interface Named {
  id: string;
  name: string;
}

/**
 * The state behind "a list plus one form to add an item or edit the one picked" (rules,
 * channels): which item is edited, a key that starts a fresh form, the delete being
 * confirmed, a status message, and focus moves after Add / Edit / Delete.
 */
export function useListEditor<T extends Named>(o: {
  /** Shown in messages: "Added rule …", "Deleted channel …". */
  noun: string;
  upsert: (item: T) => void;
  remove: (item: T) => Promise<void>;
}) {
  const [editing, setEditing] = useState<T | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [deleting, setDeleting] = useState<T | null>(null);
  const [message, setMessage] = useState('');
  const [focusTick, setFocusTick] = useState(0);
  const nameRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (focusTick === 0) return;
    nameRef.current?.focus();
    nameRef.current?.scrollIntoView({ block: 'center' });
  }, [focusTick]);

  const resetForm = () => {
    setEditing(null);
    setFormKey((k) => k + 1);
  };

  return {
    editing,
    formKey,
    deleting,
    setDeleting,
    message,
    nameRef,
    headingRef,
    resetForm,
    startNew: () => {
      resetForm();
      setFocusTick((t) => t + 1);
    },
    onEdit: (item: T) => {
      setEditing(item);
      setMessage('');
      setFocusTick((t) => t + 1);
    },
    onSaved: (item: T, created: boolean) => {
      o.upsert(item);
      setMessage(created ? `Added ${o.noun} ${item.name}` : `Saved ${o.noun} ${item.name}`);
      resetForm();
    },
    remove: async (item: T) => {
      await o.remove(item);
      if (editing?.id === item.id) resetForm();
      setDeleting(null);
      setMessage(`Deleted ${o.noun} ${item.name}`);
      headingRef.current?.focus();
    },
  };
}
