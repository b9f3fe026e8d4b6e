// Composes one bpftrace program from the fragment files in programs/: resolves their `requires`,
// merges the parts fragments give to a probe another one defines, fills base.bt's slots, and
// generates the per-second print (or clear) of each fragment's epoch maps.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The same folder from src/trace and from the compiled dist/trace: the .bt files ship in src/.
export const PROGRAMS_DIR = fileURLToPath(new URL('../../src/trace/programs/', import.meta.url));

export interface ProbeSelection {
  opens: boolean;
  io: boolean;
  // per file instead of per process (the per-process sums are derived from it)
  ioFiles: boolean;
}

export interface ProgramOptions {
  // a bpftrace predicate expression that selects the tasks whose events are printed ("1": all)
  filter: string;
  // whether sched_process_exit has group_dead (Linux 6.13+); without it the leader's exit counts
  hasGroupDead: boolean;
}

export interface Program {
  text: string;
  fragments: string[];
  // the epoch maps the tick prints, by base name ("@opens" prints as @opens0 / @opens1)
  epochMaps: string[];
}

interface Fragment {
  name: string;
  // the probes, without the parts
  text: string;
  requires: string[];
  epochMaps: string[];
  // per-second maps nobody reads: cleared with their epoch, never printed
  epochClears: string[];
  endClears: string[];
  // slots its probes leave for other fragments' parts ({{NAME}} in the text)
  slots: string[];
  // statements for a probe of another fragment, by the slot that probe leaves for them
  parts: Array<{ slot: string; text: string }>;
}

// A part runs inside a probe another fragment defines (one BPF program per event instead of one
// per fragment, and what that probe reads once is shared): "// part SLOT {" up to "// }".
const PART = /^\/\/ part (\w+) \{\n([\s\S]*?)^\/\/ \}\n?/gm;

function directive(text: string, name: string): string[] {
  const values: string[] = [];
  for (const match of text.matchAll(new RegExp(`^// ${name}: (.*)$`, 'gm'))) values.push(...(match[1] ?? '').trim().split(/\s+/));
  return values.filter((value) => value !== '');
}

export function parseFragment(name: string, text: string): Fragment {
  const parts = [...text.matchAll(PART)].map((match) => ({ slot: match[1] ?? '', text: (match[2] ?? '').trimEnd() }));
  const probes = text.replace(PART, '');
  return { name, text: probes, requires: directive(text, 'requires'), epochMaps: directive(text, 'epoch'), epochClears: directive(text, 'epoch-clear'), endClears: directive(text, 'end-clear'), slots: directive(text, 'slot'), parts };
}

export function fragmentNames(selection: ProbeSelection): string[] {
  const names = ['lifecycle', 'oom'];
  if (selection.opens) names.push('opens');
  if (selection.ioFiles) names.push('iofiles');
  else if (selection.io) names.push('io');
  return names;
}

// Fragments in dependency order, each once.
function resolve(names: string[], load: (name: string) => Fragment): Fragment[] {
  const ordered: Fragment[] = [];
  const visit = (name: string, path: string[]): void => {
    if (ordered.some((f) => f.name === name)) return;
    if (path.includes(name)) throw new Error(`bpftrace fragments require each other in a cycle: ${[...path, name].join(' -> ')}`);
    const fragment = load(name);
    for (const required of fragment.requires) visit(required, [...path, name]);
    ordered.push(fragment);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

function fill(template: string, slots: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => slots[key] ?? whole);
}

// The fragments' probes with every part in the slot a fragment declared for it ("// slot: NAME"),
// in fragment order; a slot no included fragment fills is left empty.
function mergeParts(fragments: Fragment[]): string[] {
  const slots: Record<string, string> = {};
  for (const slot of fragments.flatMap((f) => f.slots)) slots[slot] = '';
  for (const { name, parts } of fragments) {
    for (const part of parts) {
      const filled = slots[part.slot];
      if (filled === undefined) throw new Error(`bpftrace fragment ${name} has a part for the slot ${part.slot}, which no included fragment declares (// slot: ${part.slot})`);
      slots[part.slot] = filled === '' ? part.text : `${filled}\n${part.text}`;
    }
  }
  return fragments.map((f) => fill(f.text, slots));
}

export function composeProgram(selection: ProbeSelection, options: ProgramOptions, load: (name: string) => string): Program {
  const fragments = resolve(fragmentNames(selection), (name) => parseFragment(name, load(name)));
  const epochMaps = fragments.flatMap((f) => f.epochMaps);
  const epochClears = fragments.flatMap((f) => f.epochClears);
  const endClears = [...fragments.flatMap((f) => f.endClears), ...epochClears.flatMap((m) => [`${m}0`, `${m}1`])];
  const printEpoch = (epoch: number): string =>
    [...epochMaps.map((m) => `    print(${m}${epoch}); clear(${m}${epoch});`), ...epochClears.map((m) => `    clear(${m}${epoch});`)].join('\n');
  const tick = epochMaps.length === 0 ? '' : fill(load('tick'), { print0: printEpoch(0), print1: printEpoch(1) });
  // At the end: what is left in both epochs, then a last tick (epoch 2: both) closes the interval.
  const finalTick = '@seq[cpu, 5] = @seq[cpu, 5] + 1; printf("tick\\x1f%d\\x1f%llu\\x1f%llu\\x1f2\\n", cpu, @seq[cpu, 5], nsecs);';
  const end = [
    ...epochMaps.map((m) => `  print(${m}0); print(${m}1); clear(${m}0); clear(${m}1);`),
    ...(epochMaps.length > 0 ? [`  ${finalTick}`] : []),
    ...endClears.map((m) => `  clear(${m});`),
    ...(epochMaps.length > 0 ? ['  clear(@epoch);'] : []),
  ].join('\n');
  const probes = [...mergeParts(fragments), tick].join('\n');
  const text = fill(fill(load('base'), { begin: epochMaps.length > 0 ? '  @epoch = 0;' : '', probes, end }), {
    filter: options.filter,
    group_dead: options.hasGroupDead ? 'args->group_dead' : 'pid == tid',
  });
  return { text, fragments: fragments.map((f) => f.name), epochMaps };
}

export function loadFragment(name: string, dir = PROGRAMS_DIR): string {
  return readFileSync(`${dir}${name}.bt`, 'utf8');
}

export function availableFragments(dir = PROGRAMS_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.bt'))
    .map((file) => file.slice(0, -3))
    .sort();
}
