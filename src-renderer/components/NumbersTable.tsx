import type { ReactNode } from 'react';

/** One column of a numbers table: its header and each row's cell (numbers right-aligned). */
export interface NumbersColumn<R> {
  header: string;
  cell: (row: R) => ReactNode;
  /** Right-aligned (counts, shares, durations). */
  numeric?: boolean;
}

/**
 * A chart's numbers as a table: the first column names the row (a row header), the others
 * are its numbers.
 */
export function NumbersTable<R>({
  caption,
  rows,
  rowKey,
  columns,
}: {
  caption: string;
  rows: readonly R[];
  rowKey: (row: R) => string;
  columns: readonly NumbersColumn<R>[];
}) {
  const [head, ...rest] = columns;
  const cls = (c: NumbersColumn<R>) => (c.numeric ? 'cell-number' : undefined);
  return (
    <table className="table table-compact">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.header} scope="col" className={cls(c)}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)}>
            {head && <th scope="row">{head.cell(r)}</th>}
            {rest.map((c) => (
              <td key={c.header} className={cls(c)}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
