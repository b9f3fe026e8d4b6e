import { describe, expect, it } from 'vitest';
import { availableFragments, composeProgram, fragmentNames, loadFragment, parseFragment } from './program.ts';

const options = { filter: '1', hasGroupDead: true };
const compose = (opens: boolean, io: boolean, ioFiles: boolean, filter = '1', hasGroupDead = true) =>
  composeProgram({ opens, io, ioFiles }, { filter, hasGroupDead }, (name) => loadFragment(name));

describe('composeProgram', () => {
  it('always traces lifecycles and OOM victims, adds opens and io on request, files instead of per-process io', () => {
    expect(fragmentNames({ opens: false, io: false, ioFiles: false })).toEqual(['lifecycle', 'oom']);
    expect(fragmentNames({ opens: true, io: true, ioFiles: true })).toEqual(['lifecycle', 'oom', 'opens', 'iofiles']);
    expect(compose(true, true, false).fragments).toEqual(['lifecycle', 'oom', 'openname', 'opens', 'io']);
    // openname is required by both and included once
    expect(compose(true, false, true).fragments).toEqual(['lifecycle', 'oom', 'openname', 'opens', 'iofiles']);
  });

  it('fills every slot: no {{...}} is left, the filter and the exit test are in place', () => {
    for (const [opens, io, files] of [[false, false, false], [true, true, false], [true, false, true]] as const) {
      const { text } = compose(opens, io, files, 'cgroup == 42', false);
      expect(text).not.toMatch(/\{\{\w+\}\}/);
      expect(text).toContain('/cgroup == 42/');
      expect(text).toContain('if (pid == tid) {');
    }
    expect(compose(false, false, false).text).toContain('if (args->group_dead) {');
  });

  it('prints and clears each epoch map at the tick, both epochs and a last tick at END, and clears the rest', () => {
    const program = compose(true, false, true);
    expect(program.epochMaps).toEqual(['@opens', '@fname', '@fread', '@fwrite']);
    const tick = program.text.slice(program.text.indexOf('interval:s:1 {'));
    for (const map of program.epochMaps) {
      expect(tick).toContain(`print(${map}0); clear(${map}0);`);
      expect(tick).toContain(`print(${map}1); clear(${map}1);`);
    }
    // the file ids of each epoch are cleared with it, never printed
    expect(tick).toContain('clear(@fileid0);');
    expect(tick).toContain('clear(@fileid1);');
    expect(program.text).not.toContain('print(@fileid');
    const end = program.text.slice(program.text.lastIndexOf('END {'));
    expect(end).toMatch(/print\(@fread0\); print\(@fread1\);[\s\S]*printf\("tick[\s\S]*clear\(@fdgen\);[\s\S]*clear\(@fileid0\);\n\s*clear\(@fileid1\);[\s\S]*clear\(@seq\);/);
    // without epoch maps there is no tick at all
    expect(compose(false, false, false).text).not.toContain('interval:s:1');
  });

  it('clears at END every map a fragment declares, so bpftrace prints nothing but the last interval on exit', () => {
    const program = compose(true, false, true);
    const assigned = new Set([...program.text.matchAll(/(@\w+)\[[^\]]*\]\s*=/g)].map((m) => m[1]));
    const end = program.text.slice(program.text.lastIndexOf('END {'));
    for (const map of assigned) {
      const base = /^(@\w+?)[01]$/.exec(map ?? '')?.[1];
      if (base && program.epochMaps.includes(base)) continue;
      expect(end, `${map} is not cleared at END`).toContain(`clear(${map});`);
    }
  });

  it('runs one probe per open exit, reading the name once, whichever of opens and io per file is on', () => {
    const exitProbe = /^tracepoint:syscalls:sys_exit_open, [^\n]*\{\n([\s\S]*?)^\}$/gm;
    for (const [opens, files] of [[true, false], [false, true], [true, true]] as const) {
      const { text } = compose(opens, files, files);
      const probes = [...text.matchAll(exitProbe)];
      expect(probes, `opens ${opens}, files ${files}`).toHaveLength(1);
      expect(text.split('str(@opath[tid])')).toHaveLength(2);
      const body = probes[0]?.[1] ?? '';
      expect(body.includes('@opens0[pid, $errno, $name] = count();')).toBe(opens);
      expect(body.includes('@fname0[pid, $id] = $name;')).toBe(files);
      // failed opens reach the opens count (no ret >= 0 predicate on the probe); only iofiles skips them
      expect(text).not.toMatch(/sys_exit_creat \/args->ret/);
      if (files) expect(body).toMatch(/if \(\$ret >= 0\) \{\n\s+\$id = @epoch == 0 \? @fileid0\[pid, \$name\] : @fileid1\[pid, \$name\];/);
      // the parts are statements of that probe, not probes of their own
      expect(text).not.toMatch(/^\/\/ part \w+ \{$/m);
    }
    // opens first, then io per file, in the order of the fragments
    const body = compose(true, true, true).text;
    expect(body.indexOf('@opens0[')).toBeLessThan(body.indexOf('@fdgen[pid, $ret]'));
  });

  it('puts each part in the slot a fragment declares, leaves an unfilled slot empty, and refuses a part without a slot', () => {
    const parsed = parseFragment('p', '// slot: s\nA {\n{{s}}\n}\n// part t {\n  x;\n// }\nB\n');
    expect(parsed).toMatchObject({ slots: ['s'], parts: [{ slot: 't', text: '  x;' }], text: '// slot: s\nA {\n{{s}}\n}\nB\n' });
    const texts: Record<string, string> = {
      base: '{{probes}}',
      lifecycle: '// requires: oom\n// part s {\n  one;\n// }\n',
      oom: '// slot: s\nprobe {\n{{s}}\n}\n// part s {\n  two;\n// }\n',
    };
    expect(composeProgram({ opens: false, io: false, ioFiles: false }, options, (name) => texts[name] ?? '').text).toBe('// slot: s\nprobe {\n  two;\n  one;\n}\n\n// requires: oom\n\n');
    const noParts: Record<string, string> = { base: '{{probes}}', oom: '// slot: s\nprobe {\n{{s}}\n}\n' };
    expect(composeProgram({ opens: false, io: false, ioFiles: false }, options, (name) => noParts[name] ?? '').text).toBe('\n// slot: s\nprobe {\n\n}\n\n');
    const orphan: Record<string, string> = { base: '{{probes}}', oom: '// part nowhere {\n  x;\n// }\n' };
    expect(() => composeProgram({ opens: false, io: false, ioFiles: false }, options, (name) => orphan[name] ?? '')).toThrow(
      'bpftrace fragment oom has a part for the slot nowhere, which no included fragment declares (// slot: nowhere)',
    );
  });

  it('reads the directives of a fragment and refuses a cycle', () => {
    expect(parseFragment('x', '// requires: a b\n// epoch: @m\n// epoch-clear: @e\n// end-clear: @c @d\n')).toMatchObject({ requires: ['a', 'b'], epochMaps: ['@m'], epochClears: ['@e'], endClears: ['@c', '@d'] });
    const texts: Record<string, string> = { base: '{{probes}}', lifecycle: '// requires: oom\n', oom: '// requires: lifecycle\n' };
    expect(() => composeProgram({ opens: false, io: false, ioFiles: false }, options, (name) => texts[name] ?? '')).toThrow('cycle: lifecycle -> oom -> lifecycle');
  });

  it('ships only fragments some selection uses', () => {
    const used = new Set(['base', 'tick', ...compose(true, true, false).fragments, ...compose(true, false, true).fragments]);
    expect(availableFragments().filter((name) => !used.has(name))).toEqual([]);
  });
});
