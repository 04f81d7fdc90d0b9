import { useVirtualizer } from '@tanstack/react-virtual';
import type { ReactNode } from 'react';
import { useEffect, useLayoutEffect, useRef } from 'react';

interface VirtualListProps<T> {
  items: readonly T[];
  /** Every row is exactly this tall (px). */
  rowHeight: number;
  /** Rows rendered beyond each edge of the visible window. */
  overscan?: number;
  getKey: (item: T) => string;
  renderRow: (item: T, index: number) => ReactNode;
  /** Called while the visible window is within `endThreshold` rows of the end. */
  onNearEnd?: () => void;
  endThreshold?: number;
  /** When this changes the list scrolls back to the top. */
  resetKey?: unknown;
  /** Scrolled into view whenever it changes (e.g. the event open in the detail). */
  activeIndex?: number;
  /** Rendered after the rows (loading more, end of list). */
  footer?: ReactNode;
  /** Accessible name of the scroll region. */
  label: string;
  className?: string;
}

/**
 * A windowed list of fixed-height rows (@tanstack/react-virtual): only the rows in (and near)
 * view are rendered. Rows added at the top while scrolled down keep what is on screen in place.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  overscan = 10,
  getKey,
  renderRow,
  onNearEnd,
  endThreshold = 20,
  resetKey,
  activeIndex,
  footer,
  label,
  className,
}: VirtualListProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const firstKey = useRef<string | null>(null);
  const lastReset = useRef(resetKey);
  // The virtualizer re-renders this list itself as it scrolls; nothing here is memoised on it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => ref.current,
    estimateSize: () => rowHeight,
    overscan,
    getItemKey: (index) => {
      const item = items[index];
      return item === undefined ? index : getKey(item);
    },
  });

  // Back to the top when the list starts over; otherwise keep rows added above out of the way.
  useLayoutEffect(() => {
    const el = ref.current;
    const first = items[0];
    const key = first === undefined ? null : getKey(first);
    if (el && lastReset.current !== resetKey) {
      lastReset.current = resetKey;
      el.scrollTop = 0;
    } else if (el && key !== firstKey.current && firstKey.current !== null && el.scrollTop > 0) {
      const previous = firstKey.current;
      const limit = Math.min(items.length, 200);
      for (let i = 1; i < limit; i++) {
        const item = items[i];
        if (item !== undefined && getKey(item) === previous) {
          el.scrollTop += i * rowHeight;
          break;
        }
      }
    }
    firstKey.current = key;
  }, [items, getKey, resetKey, rowHeight]);

  useEffect(() => {
    if (activeIndex === undefined || activeIndex < 0) return;
    virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
  }, [activeIndex, virtualizer]);

  const rows = virtualizer.getVirtualItems();
  const lastVisible = virtualizer.range ? virtualizer.range.endIndex + 1 : 0;
  const count = items.length;

  useEffect(() => {
    if (onNearEnd && count > 0 && lastVisible >= count - endThreshold) onNearEnd();
  }, [onNearEnd, count, lastVisible, endThreshold]);

  return (
    <div
      ref={ref}
      className={className ? `vlist ${className}` : 'vlist'}
      role="region"
      aria-label={label}
      tabIndex={0}
    >
      <div className="vlist-spacer" style={{ height: virtualizer.getTotalSize() }}>
        {rows.map((row) => {
          const item = items[row.index];
          if (item === undefined) return null;
          return (
            <div key={row.key} className="vlist-row" style={{ top: row.start, height: rowHeight }}>
              {renderRow(item, row.index)}
            </div>
          );
        })}
      </div>
      {footer}
    </div>
  );
}
