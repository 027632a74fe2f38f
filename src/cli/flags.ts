// A small kubectl-style flag parser: --name=value, --name value, -n value, -nvalue,
// repeatable flags, booleans with --name=false, and `--` to end flags.
import { UsageError } from '../errors.js';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: 'string' | 'boolean' | 'list';
  description: string;
  placeholder?: string;
  choices?: readonly string[];
  /** Value used when the flag is given bare (e.g. `--dry-run` means client). */
  bareValue?: string;
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  args: string[];
}

const looksLikeNumber = (s: string): boolean => /^-\d/.test(s);

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], where: string): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags: FlagValues = {};
  const args: string[] = [];
  const unknown = (flag: string) => new UsageError(`unknown flag ${flag} for '${where}'`, `see 'kubectl ${where} --help'`);

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-' || looksLikeNumber(token)) {
      args.push(token);
      continue;
    }

    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      inline = eq === -1 ? undefined : token.slice(eq + 1);
      spec = byLong.get(name);
    } else {
      spec = byShort.get(token[1]);
      const rest = token.slice(2);
      if (rest) inline = rest.startsWith('=') ? rest.slice(1) : rest;
    }
    if (!spec) throw unknown(token.split('=')[0]);

    const display = `--${spec.name}`;
    if (spec.kind === 'boolean') {
      if (inline === undefined) flags[spec.name] = true;
      else if (inline === 'true' || inline === 'false') flags[spec.name] = inline === 'true';
      else throw new UsageError(`invalid value "${inline}" for ${display}: expected true or false`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (spec.bareValue !== undefined && (next === undefined || next.startsWith('-') || !spec.choices?.includes(next))) {
        value = spec.bareValue;
      } else if (next === undefined) {
        throw new UsageError(`flag ${display} needs a value`, spec.placeholder ? `pass ${display}=${spec.placeholder}` : undefined);
      } else {
        value = next;
        i++;
      }
    }
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`invalid value "${value}" for ${display}`, `use one of: ${spec.choices.join(', ')}`);
    }
    if (spec.kind === 'list') flags[spec.name] = [...((flags[spec.name] as string[] | undefined) ?? []), value];
    else flags[spec.name] = value;
  }
  return { flags, args };
}
