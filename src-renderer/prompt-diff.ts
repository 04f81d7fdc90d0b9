/**
 * Diffs of prompt bodies as the Prompts page shows them: two versions side by side (removed
 * lines on the left, added on the right, changed lines paired up), and the lines of a unified
 * diff from the server (an import preview) marked by kind.
 */
import { diffLines } from 'diff';

export interface DiffCell {
  /** 1-based line number in its version. */
  line: number;
  text: string;
  kind: 'same' | 'removed' | 'added';
}

/** One row of the side-by-side view; a side is null where the other has a line it lacks. */
export interface DiffRow {
  left: DiffCell | null;
  right: DiffCell | null;
}

function lines(value: string): string[] {
  const out = value.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

export function sideBySide(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let left = 1;
  let right = 1;
  let removed: string[] = [];
  const flush = (added: string[]) => {
    const n = Math.max(removed.length, added.length);
    for (let i = 0; i < n; i++) {
      const r = removed[i];
      const a = added[i];
      rows.push({
        left: r === undefined ? null : { line: left++, text: r, kind: 'removed' },
        right: a === undefined ? null : { line: right++, text: a, kind: 'added' },
      });
    }
    removed = [];
  };
  for (const part of diffLines(before, after)) {
    if (part.removed) {
      flush([]);
      removed = lines(part.value);
    } else if (part.added) {
      flush(lines(part.value));
    } else {
      flush([]);
      for (const text of lines(part.value)) {
        rows.push({
          left: { line: left++, text, kind: 'same' },
          right: { line: right++, text, kind: 'same' },
        });
      }
    }
  }
  flush([]);
  return rows;
}

/** How many lines a side-by-side diff removes and adds. */
export function diffCounts(rows: readonly DiffRow[]): { removed: number; added: number } {
  let removed = 0;
  let added = 0;
  for (const r of rows) {
    if (r.left?.kind === 'removed') removed += 1;
    if (r.right?.kind === 'added') added += 1;
  }
  return { removed, added };
}

export type UnifiedLineKind = 'header' | 'hunk' | 'added' | 'removed' | 'same';

/** A unified diff's lines, each with its kind (file headers, hunk headers, +, -, context). */
export function unifiedLines(diff: string): { text: string; kind: UnifiedLineKind }[] {
  return lines(diff).map((text) => {
    if (text.startsWith('+++') || text.startsWith('---') || text.startsWith('====')) {
      return { text, kind: 'header' };
    }
    if (text.startsWith('@@')) return { text, kind: 'hunk' };
    if (text.startsWith('+')) return { text, kind: 'added' };
    if (text.startsWith('-')) return { text, kind: 'removed' };
    if (text.startsWith('Index:') || text.startsWith('\\')) return { text, kind: 'header' };
    return { text, kind: 'same' };
  });
}
