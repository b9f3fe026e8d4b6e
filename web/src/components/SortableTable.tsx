// A table sorted by a column the person clicks (again: the other way); numbers start largest
// first. Columns marked wideOnly are hidden on narrow screens, so a phone never scrolls sideways.
import { useMemo, useState, type ReactNode } from 'react';
import { type Direction, nextSort, type SortValue, sortRows } from '../lib/sort.ts';

export interface Column<T> {
  key: string;
  title: string;
  value: (row: T) => SortValue;
  render?: (row: T) => ReactNode;
  numeric?: boolean;
  wideOnly?: boolean;
}

export interface SortableTableProps<T> {
  rows: readonly T[];
  columns: ReadonlyArray<Column<T>>;
  rowKey: (row: T) => string;
  initialSort: { key: string; direction: Direction };
  testId?: string;
  caption?: string;
}

export function SortableTable<T>(props: SortableTableProps<T>): ReactNode {
  const { rows, columns, rowKey, testId, caption } = props;
  const [sort, setSort] = useState(props.initialSort);
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.key === sort.key) ?? columns[0];
    return column ? sortRows(rows, column.value, sort.direction) : [...rows];
  }, [rows, columns, sort]);
  const cls = (c: Column<T>): string => [c.numeric ? 'num' : '', c.wideOnly ? 'wide-only' : ''].join(' ').trim();
  return (
    <table className="table" data-testid={testId}>
      {caption === undefined ? null : <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key} className={cls(c)} aria-sort={sort.key === c.key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
              <button type="button" onClick={() => setSort(nextSort(sort, c.key, c.numeric ? 'desc' : 'asc'))}>
                {c.title}
                <span className="sort-mark">{sort.key === c.key ? (sort.direction === 'asc' ? ' \u25b2' : ' \u25bc') : ''}</span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((c) => (
              <td key={c.key} className={cls(c)}>
                {c.render ? c.render(row) : String(c.value(row) ?? '-')}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
