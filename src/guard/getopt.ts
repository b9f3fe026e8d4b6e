// A getopt_long work-alike: clustered short flags (-dn), attached values (-m10), long options
// with '=' or a separate value, unambiguous long prefixes (--pref), and '--' to end options.
export interface OptionSpec {
  short?: string;
  long?: string;
  takesValue: boolean;
  // The canonical name the parsed option is reported under.
  name: string;
}

export interface ParsedOption {
  name: string;
  value?: string;
  // As the user wrote it, for messages: "-m" or "--prefer".
  spelled: string;
}

export type GetoptResult = { ok: true; options: ParsedOption[]; operands: string[] } | { ok: false; error: string };

function findLong(specs: OptionSpec[], name: string): OptionSpec | string {
  const exact = specs.find((s) => s.long === name);
  if (exact) return exact;
  const matches = specs.filter((s) => s.long?.startsWith(name));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) return `option '--${name}' is ambiguous; possibilities: ${matches.map((m) => `'--${m.long}'`).join(' ')}`;
  return `unrecognized option '--${name}'`;
}

export function getopt(args: string[], specs: OptionSpec[]): GetoptResult {
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = findLong(specs, name);
      if (typeof spec === 'string') return { ok: false, error: spec };
      const spelled = `--${spec.long}`;
      if (!spec.takesValue) {
        if (eq >= 0) return { ok: false, error: `option '${spelled}' doesn't allow an argument` };
        options.push({ name: spec.name, spelled });
        continue;
      }
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) return { ok: false, error: `option '${spelled}' requires an argument` };
      options.push({ name: spec.name, value, spelled });
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] ?? '';
        const spec = specs.find((s) => s.short === letter);
        if (!spec) return { ok: false, error: `invalid option -- '${letter}'` };
        const spelled = `-${letter}`;
        if (!spec.takesValue) {
          options.push({ name: spec.name, spelled });
          continue;
        }
        const attached = arg.slice(j + 1);
        const value = attached !== '' ? attached : args[++i];
        if (value === undefined) return { ok: false, error: `option requires an argument -- '${letter}'` };
        options.push({ name: spec.name, value, spelled });
        break;
      }
      continue;
    }
    operands.push(arg);
  }
  return { ok: true, options, operands };
}
