// The CPU panel's lines: total busy with its sparkline and the load, then one cell per core.
import type { CpuMetrics } from '../../collect/types.ts';
import { percentText } from '../format.ts';
import type { CpuHistory } from '../history.ts';
import { percentTone } from '../levels.ts';
import { type Line, plain, toned, withOptional } from '../lines.ts';
import { sparkline } from '../sparkline.ts';

const CORE_CELL_MIN = 22;

function busy(percent: number | undefined): Line {
  return [toned(percentText(percent).padStart(6), percentTone(percent, 70, 90))];
}

function totalLine(cpu: CpuMetrics, history: CpuHistory, width: number): Line {
  const load = ` load ${cpu.load1.toFixed(2)} ${cpu.load5.toFixed(2)} ${cpu.load15.toFixed(2)}`;
  const sparkWidth = Math.max(0, Math.min(60, width - 7 - load.length));
  const line: Line = [...busy(cpu.busyPercent), plain(' '), { text: sparkline(history.total, sparkWidth), color: 'cyan' }, plain(load)];
  const split = `usr ${percentText(cpu.userPercent, 0)} sys ${percentText(cpu.systemPercent, 0)} iow ${percentText(cpu.iowaitPercent, 0)}`;
  const steal = `steal ${percentText(cpu.stealPercent, 0)}`;
  return withOptional(line, [[plain(`${cpu.runningTasks} run ${cpu.blockedTasks} blk`)], [plain(split)], [plain(steal)]], width);
}

// Core cells side by side, as many per line as width allows at CORE_CELL_MIN columns or more.
function coreLines(cpu: CpuMetrics, history: CpuHistory, width: number): Line[] {
  const perLine = Math.max(1, Math.floor((width + 1) / (CORE_CELL_MIN + 1)));
  const cellWidth = Math.floor((width + 1) / perLine) - 1;
  const labelWidth = Math.max(4, `cpu${cpu.perCore.length - 1}`.length);
  const lines: Line[] = [];
  cpu.perCore.forEach((core, index) => {
    const sparkWidth = Math.max(0, cellWidth - labelWidth - 8);
    const cell: Line = [plain(`cpu${core.cpu}`.padEnd(labelWidth + 1)), ...busy(core.busyPercent), plain(' '), { text: sparkline(history.cores.get(core.cpu) ?? [], sparkWidth), color: 'cyan' }];
    if (index % perLine === 0) lines.push(cell);
    else lines[lines.length - 1]?.push(plain(' '), ...cell);
  });
  return lines;
}

export function cpuLines(cpu: CpuMetrics | undefined, history: CpuHistory, width: number): Line[] {
  if (!cpu) return [[plain('no CPU data')]];
  return [totalLine(cpu, history, width), ...coreLines(cpu, history, width)];
}
