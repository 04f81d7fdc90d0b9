/** `set` with `id` in (on) or out (off); toggled when `on` is not given. */
export function toggled(set: ReadonlySet<string>, id: string, on?: boolean): ReadonlySet<string> {
  const next = new Set(set);
  if (on ?? !next.has(id)) next.add(id);
  else next.delete(id);
  return next;
}
