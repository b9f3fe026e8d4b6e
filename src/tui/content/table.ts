// The process table's lines: a header and one row per process, the selected row marked.
import type { ProcessInfo } from '../../collect/types.ts';
import { fit, percentText, shortBytes, shortRate } from '../format.ts';
import { type Line, plain } from '../lines.ts';
import { ioBytesPerSecond, type SortKey } from '../processes.ts';

const COLUMNS: Array<{ title: string; width: number; sort?: SortKey }> = [
  { title: 'PID', width: 7 },
  { title: 'USER', width: 8 },
  { title: 'S', width: 1 },
  { title: 'CPU%', width: 6, sort: 'cpu' },
  { title: 'RSS', width: 6, sort: 'rss' },
  { title: 'IO/s', width: 7, sort: 'io' },
];

export function tableHeader(sort: SortKey, width: number): Line {
  const cells = COLUMNS.map((column): Line[number] => {
    const align = column.title === 'USER' || column.title === 'S' ? 'left' : 'right';
    return column.sort === sort ? { text: fit(column.title, column.width, align), bold: true, color: 'cyan' } : { text: fit(column.title, column.width, align), bold: true };
  });
  const used = COLUMNS.reduce((sum, column) => sum + column.width + 1, 1);
  return [plain(' '), ...cells.flatMap((cell) => [cell, plain(' ')]), { text: fit('COMMAND', Math.max(0, width - used)), bold: true }];
}

export function processRow(process: ProcessInfo, selected: boolean, width: number): Line {
  const command = process.cmdline === '' ? `[${process.name}]` : process.cmdline;
  const cells = [
    fit(String(process.pid), 7, 'right'),
    fit(process.user ?? String(process.uid ?? '?'), 8),
    fit(process.state, 1),
    fit(process.cpuPercent === undefined ? '-' : percentText(process.cpuPercent).slice(0, -1), 6, 'right'),
    fit(shortBytes(process.rssBytes), 6, 'right'),
    fit(process.readBytesPerSecond === undefined && process.writtenBytesPerSecond === undefined ? '-' : shortRate(ioBytesPerSecond(process)).replace('/s', ''), 7, 'right'),
  ];
  const text = `${selected ? '>' : ' '}${cells.join(' ')} ${command}`;
  return [selected ? { text: fit(text, width), inverse: true } : plain(text)];
}
