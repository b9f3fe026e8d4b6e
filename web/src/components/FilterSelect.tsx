// A filter drop-down whose value lives in the page's URL query.
import type { ReactNode } from 'react';
import { setSearch } from '../router.ts';

export function FilterSelect(props: { label: string; value: string; options: readonly string[]; param: string }): ReactNode {
  return (
    <label>
      {props.label}{' '}
      <select value={props.value} onChange={(e) => setSearch({ [props.param]: e.target.value })}>
        <option value="">all</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
