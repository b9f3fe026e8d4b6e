// Table ordering: by one column, either way, with unknown values (absent, not zero) always last.
export type Direction = 'asc' | 'desc';
export type SortValue = number | string | null | undefined;

export function compareValues(a: SortValue, b: SortValue, direction: Direction): number {
  const aMissing = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a));
  const bMissing = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b));
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  const order = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), 'en', { numeric: true });
  return direction === 'asc' ? order : -order;
}

// A stable sort of a copy; ties keep their previous order.
export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, direction: Direction): T[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => compareValues(value(a.row), value(b.row), direction) || a.index - b.index)
    .map((entry) => entry.row);
}

// Clicking the sorted column flips it; another column starts with its natural direction.
export function nextSort<K extends string>(current: { key: K; direction: Direction }, clicked: K, natural: Direction): { key: K; direction: Direction } {
  if (current.key !== clicked) return { key: clicked, direction: natural };
  return { key: clicked, direction: current.direction === 'asc' ? 'desc' : 'asc' };
}
