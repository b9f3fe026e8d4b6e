import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { expectTypedResult, hostileText } from '../../test/fixtures/fixtures.ts';
import { MEMORY_DEFAULTS, PROTECT_DEFAULTS } from './guardDefaults.ts';
import { exampleToml, parseGuardSections } from './guardSections.ts';

describe('[memory] and [protect] sections', () => {
  it('the documented example parses back to exactly the defaults', () => {
    expect(parseGuardSections(exampleToml(), 'example.toml')).toEqual({ ok: true, value: { memory: MEMORY_DEFAULTS, protect: PROTECT_DEFAULTS } });
  });

  it('reads the seed-style keys and leaves other sections to their own schemas', () => {
    const text = '[daemon]\nport = 9000\n[memory]\nenabled = true\npolicy = "table"\nmax_memory_mb = 1024\ncheck_interval_seconds = 2\n[protect]\nmode = "prod"\n[[protect.cleanup]]\ndirectory = "/var/cache/app"\nmax_age_hours = 48\n[[protect.cleanup]]\ncommand = "journalctl --vacuum-size=200M"\nfilesystem = "/var/log"\n';
    expect(parseGuardSections(text, 'h.toml')).toEqual({
      ok: true,
      value: {
        memory: { enabled: true, policy: 'table', max_memory_mb: 1024, check_interval_seconds: 2 },
        protect: { mode: 'prod', cleanup: [{ directory: '/var/cache/app', max_age_hours: 48 }, { command: 'journalctl --vacuum-size=200M', filesystem: '/var/log' }] },
      },
    });
  });

  it('names the file, the key, the value and what is accepted', () => {
    expect(parseGuardSections('[memory]\nwarning_percent = 120\n', 'h.toml')).toEqual({ ok: false, error: 'h.toml: [memory] warning_percent = 120: Too big: expected number to be <=100' });
    expect(parseGuardSections('[memory]\nwarnin_percent = 1\n', 'h.toml')).toEqual({ ok: false, error: 'h.toml: [memory]: Unrecognized key: "warnin_percent"' });
    expect(parseGuardSections('[memory]\npolicy = "fair"\n', 'h.toml')).toEqual({ ok: false, error: 'h.toml: [memory] policy = "fair": Invalid option: expected one of "leader-first"|"tiered"|"table"' });
    expect(parseGuardSections('[protect]\nmode = "qa"\n', 'h.toml')).toEqual({ ok: false, error: 'h.toml: [protect] mode = "qa": Invalid option: expected one of "dev"|"test"|"prod"' });
    expect(parseGuardSections('[protect]\ncleanup = [{ directory = 5 }]\n', 'h.toml')).toMatchObject({ ok: false, error: expect.stringMatching(/^h.toml: \[protect\] cleanup.0.directory = 5: /) });
    expect(parseGuardSections('[memory\n', 'h.toml')).toMatchObject({ ok: false, error: expect.stringMatching(/^h.toml: not valid TOML at line 1/) });
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(hostileText, (text) => expectTypedResult(parseGuardSections(text, 'x.toml'), (v) => typeof v === 'object')));
    expect(parse(exampleToml())).toHaveProperty('memory');
  });
});

describe('docs/graduated.md', () => {
  it('documents every key with its default, exactly as the schema generates them', () => {
    const docs = readFileSync(new URL('../../docs/graduated.md', import.meta.url), 'utf8');
    expect(docs).toContain(`\`\`\`toml\n${exampleToml()}\`\`\``);
  });
});
