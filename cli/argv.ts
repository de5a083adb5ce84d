/**
 * Command-line flags, read the way researchers type them: `--name value` and `--name=value` mean
 * the same even when the value starts with "-" (`--temperature -1`, `--pos -2`), switches take no
 * value (`--json`; `--no-centred` turns a default-on switch off), repeatable flags collect every
 * value, older names map to the flags they stand for (`--noising` may stand for
 * `--direction=noising`), and anything unknown is an error that points to `--help`.
 */
import { UsageError } from './args.ts';

export interface FlagSpec {
  /** Without the leading dashes, e.g. "top-k". */
  readonly name: string;
  /** A switch takes no value; `--no-NAME` sets it false. */
  readonly switch?: boolean;
  /** Collect every occurrence (in order) instead of refusing a second one. */
  readonly multiple?: boolean;
}

export type FlagValues = Map<string, string[] | boolean>;

/** Flags by name (aliases resolved to the flag they stand for), or the reason they cannot be read. */
export function parseFlags(command: string, argv: readonly string[], specs: readonly FlagSpec[], aliases: Readonly<Record<string, string>> = {}): FlagValues {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: FlagValues = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') throw new UsageError(`unexpected argument "${arg}" (flags start with --; see probescope ${command} --help)`);
    const eq = arg.indexOf('=');
    const written = arg.slice(2, eq < 0 ? undefined : eq);
    const name = Object.hasOwn(aliases, written) ? aliases[written] : written;
    let spec = byName.get(name);
    let value: string | boolean;
    const fixed = /^([a-z0-9-]+)=(.*)$/.exec(name);
    if (fixed && byName.has(fixed[1])) {
      // An alias that stands for a flag with a fixed value (`--noising` = `--direction noising`).
      if (eq >= 0) throw new UsageError(`--${written} takes no value`);
      spec = byName.get(fixed[1])!;
      value = fixed[2];
    } else if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.switch) {
      spec = byName.get(name.slice(3))!;
      if (eq >= 0) throw new UsageError(`--${written} takes no value`);
      value = false;
    } else if (!spec) {
      throw new UsageError(`unknown option --${written} (see probescope ${command} --help)`);
    } else if (spec.switch) {
      if (eq >= 0) throw new UsageError(`--${written} is a switch and takes no value (write --${written} or --no-${written})`);
      value = true;
    } else if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      // The next word is the value whatever it starts with, so negative numbers need no "=".
      if (i + 1 >= argv.length) throw new UsageError(`--${written} needs a value`);
      value = argv[++i];
    }
    const previous = out.get(spec.name);
    if (typeof value === 'boolean') {
      out.set(spec.name, value);
    } else if (spec.multiple) {
      out.set(spec.name, [...(Array.isArray(previous) ? previous : []), value]);
    } else {
      if (previous !== undefined) throw new UsageError(`--${spec.name} is given twice`);
      out.set(spec.name, [value]);
    }
  }
  return out;
}

/** The one value of a flag, if given. */
export function flagValue(values: FlagValues, name: string): string | undefined {
  const v = values.get(name);
  return Array.isArray(v) ? v[0] : undefined;
}

/** camelCase params field → kebab-case flag name ("topK" → "top-k"). */
export function flagName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** True when the words ask for help (`--help` or `-h` anywhere). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
