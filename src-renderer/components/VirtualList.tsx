import type { ReactNode } from 'react';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

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
 * A windowed list of fixed-height rows: a scroll container, a spacer as tall as every row
 * together, and only the rows in (and near) view rendered, absolutely placed. Rows added at the
 * top while scrolled down keep what is on screen in place.
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
  // Only the first visible row and how many fit are state: scrolling within a row renders nothing.
  const [firstVisible, setFirstVisible] = useState(0);
  const [visibleCount, setVisibleCount] = useState(10);
  const firstKey = useRef<string | null>(null);
  const lastReset = useRef(resetKey);

  const measure = () => {
    const el = ref.current;
    if (!el) return;
    setFirstVisible(Math.floor(el.scrollTop / rowHeight));
    setVisibleCount(Math.ceil(el.clientHeight / rowHeight) + 1);
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => {
      setVisibleCount(Math.ceil(el.clientHeight / rowHeight) + 1);
      setFirstVisible(Math.floor(el.scrollTop / rowHeight));
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, [rowHeight]);

  // Back to the top when the list starts over; otherwise keep rows added above out of the way.
  useLayoutEffect(() => {
    const el = ref.current;
    const first = items[0];
    const key = first === undefined ? null : getKey(first);
    if (el && lastReset.current !== resetKey) {
      lastReset.current = resetKey;
      el.scrollTop = 0;
      setFirstVisible(0);
    } else if (el && key !== firstKey.current && firstKey.current !== null && el.scrollTop > 0) {
      const previous = firstKey.current;
      const limit = Math.min(items.length, 200);
      for (let i = 1; i < limit; i++) {
        const item = items[i];
        if (item !== undefined && getKey(item) === previous) {
          el.scrollTop += i * rowHeight;
          setFirstVisible(Math.floor(el.scrollTop / rowHeight));
          break;
        }
      }
    }
    firstKey.current = key;
  }, [items, getKey, resetKey, rowHeight]);

  useEffect(() => {
    const el = ref.current;
    if (!el || activeIndex === undefined || activeIndex < 0) return;
    const top = activeIndex * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) {
      el.scrollTop = top + rowHeight - el.clientHeight;
    }
  }, [activeIndex, rowHeight]);

  const count = items.length;
  const start = Math.max(0, Math.min(firstVisible, count) - overscan);
  const end = Math.min(count, firstVisible + visibleCount + overscan);
  const lastVisible = Math.min(count, firstVisible + visibleCount);

  useEffect(() => {
    if (onNearEnd && count > 0 && lastVisible >= count - endThreshold) onNearEnd();
  }, [onNearEnd, count, lastVisible, endThreshold]);

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    const item = items[i];
    if (item === undefined) continue;
    rows.push(
      <div
        key={getKey(item)}
        className="vlist-row"
        style={{ top: i * rowHeight, height: rowHeight }}
      >
        {renderRow(item, i)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className={className ? `vlist ${className}` : 'vlist'}
      role="region"
      aria-label={label}
      tabIndex={0}
      onScroll={measure}
    >
      <div className="vlist-spacer" style={{ height: count * rowHeight }}>
        {rows}
      </div>
      {footer}
    </div>
  );
}
