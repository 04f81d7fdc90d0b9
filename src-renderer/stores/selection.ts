/** `set` with `id` in (on) or out (off); toggled when `on` is not given. */
export function toggled(set: ReadonlySet<string>, id: string, on?: boolean): ReadonlySet<string> {
  const next = new Set(set);
  if (on ?? !next.has(id)) next.add(id);
  else next.delete(id);
  return next;
}

/** A view's selection of list items for bulk actions. */
export interface Selection {
  selected: ReadonlySet<string>;
  setSelected: (id: string, selected: boolean) => void;
  selectAll: (ids: readonly string[], selected: boolean) => void;
}

/** The selection part of a view store (zustand `set`). */
export function selectionSlice(
  set: (update: (s: Selection) => Partial<Selection>) => void,
): Selection {
  return {
    selected: new Set(),
    setSelected: (id, selected) =>
      set((s) =>
        s.selected.has(id) === selected ? {} : { selected: toggled(s.selected, id, selected) },
      ),
    selectAll: (ids, selected) => set(() => ({ selected: selected ? new Set(ids) : new Set() })),
  };
}
