// The pure half of shell completion: from the words typed so far and the Command registry, what to
// offer (verbs, flags, flag values) or which look-up to make; and cobra's output format.
import type { FlagSpec, FlagValues } from '../cli/flags.js';
import type { Command } from '../commands/command.js';

/** cobra's ShellCompDirective bits. */
export const Directive = { error: 1, noSpace: 2, noFileComp: 4, filterFileExt: 8, filterDirs: 16, keepOrder: 32, default: 0 } as const;

export type Lookup = 'namespaces' | 'services' | 'subsets' | 'contexts' | 'clusters' | 'users';

export interface Candidate {
  value: string;
  description?: string;
}

export type Plan =
  | { kind: 'static'; candidates: Candidate[]; directive: number }
  | { kind: 'lookup'; lookup: Lookup; prefix: string; flags: FlagValues; service?: string };

export interface Registry {
  commands: readonly Command[];
  common: readonly FlagSpec[];
}

/** Flag values that come from the cluster or the kubeconfig, by flag name. */
const FLAG_LOOKUPS: Record<string, Lookup> = {
  namespace: 'namespaces',
  context: 'contexts',
  cluster: 'clusters',
  user: 'users',
  stable: 'subsets',
  canary: 'subsets',
  subset: 'subsets',
};
/** Flags whose value is a path: let the shell complete files (YAML only for -f). */
const FILE_FLAGS: Record<string, string[] | undefined> = { kubeconfig: undefined, istioctl: undefined, filename: ['yaml', 'yml', 'json'] };
/** Positional placeholders in a verb's usage line that we can complete. */
const POSITIONAL_CHOICES: Record<string, readonly string[]> = { SHELL: ['bash', 'zsh', 'fish'] };

const none = (directive: number = Directive.noFileComp): Plan => ({ kind: 'static', candidates: [], directive });
const matching = (prefix: string, candidates: Candidate[]): Candidate[] => candidates.filter((c) => c.value.startsWith(prefix));

/** The positional placeholders of a verb, from its usage line: 'canary WEIGHT SERVICE [flags]' → [WEIGHT, SERVICE]. */
export function positionalSlots(cmd: Command): string[] {
  const slots: string[] = [];
  for (const token of cmd.usage.split(/\s+/).slice(1)) {
    const bare = token.replace(/^\[|\]$/g, '');
    if (bare.startsWith('-') || bare === 'flags' || bare.endsWith('...')) break;
    if (/^[A-Z][A-Z0-9_|]*$/.test(bare)) slots.push(bare);
  }
  return slots;
}

interface Scan {
  cmd?: Command;
  positionals: string[];
  flags: FlagValues;
  /** Set when the word being completed is the value of this flag (given as a separate word). */
  pendingFlag?: FlagSpec;
}

/** Walks the finished words the way parseArgs would, without throwing on unknown flags. */
function scan(words: readonly string[], reg: Registry): Scan {
  const out: Scan = { positionals: [], flags: {} };
  const specs = () => [...(out.cmd?.flags ?? []), ...reg.common];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '--') {
      out.positionals.push(...words.slice(i + 1));
      break;
    }
    if (w.startsWith('-') && w !== '-' && !/^-\d/.test(w)) {
      const eq = w.indexOf('=');
      const spec = findFlag(specs(), w);
      if (!spec) continue;
      if (spec.kind === 'boolean') {
        out.flags[spec.name] = true;
        continue;
      }
      let value: string | undefined = eq === -1 ? (w.startsWith('--') || w.length === 2 ? undefined : w.slice(2)) : w.slice(eq + 1);
      if (value === undefined) {
        const next = words[i + 1];
        // The word being completed may be the value (a flag with a bare form takes it only from its choices).
        if (next === undefined) {
          out.pendingFlag = spec;
          break;
        }
        if (spec.bareValue !== undefined && !spec.choices?.includes(next)) value = spec.bareValue;
        else {
          value = next;
          i++;
        }
      }
      if (spec.kind === 'list') out.flags[spec.name] = [...((out.flags[spec.name] as string[] | undefined) ?? []), value];
      else out.flags[spec.name] = value;
      continue;
    }
    if (!out.cmd) {
      const cmd = reg.commands.find((c) => c.name === w);
      if (cmd) {
        out.cmd = cmd;
        continue;
      }
    }
    out.positionals.push(w);
  }
  return out;
}

function findFlag(specs: readonly FlagSpec[], word: string): FlagSpec | undefined {
  if (word.startsWith('--')) {
    const name = word.slice(2).split('=')[0];
    return specs.find((s) => s.name === name);
  }
  return specs.find((s) => s.short === word[1]);
}

function valuePlan(spec: FlagSpec, prefix: string, s: Scan): Plan {
  if (spec.choices)
    return {
      kind: 'static',
      candidates: matching(
        prefix,
        spec.choices.map((value) => ({ value })),
      ),
      directive: Directive.noFileComp,
    };
  const lookup = FLAG_LOOKUPS[spec.name];
  if (lookup) return { kind: 'lookup', lookup, prefix, flags: s.flags, ...serviceOf(s) };
  if (spec.name in FILE_FLAGS) {
    const exts = FILE_FLAGS[spec.name];
    return exts
      ? { kind: 'static', candidates: exts.map((value) => ({ value })), directive: Directive.filterFileExt }
      : none(Directive.default);
  }
  return none();
}

function serviceOf(s: Scan): { service?: string } {
  const i = s.cmd ? positionalSlots(s.cmd).indexOf('SERVICE') : -1;
  const service = i === -1 ? undefined : s.positionals[i];
  return service ? { service } : {};
}

const flagCandidates = (specs: readonly FlagSpec[], prefix: string): Candidate[] => {
  const out: Candidate[] = [];
  for (const f of specs) {
    if (f.name === 'v' && !prefix.startsWith('-v')) continue; // -v is not worth a line in every list
    out.push({ value: `--${f.name}`, description: f.description });
    if (f.short && prefix === '-') out.push({ value: `-${f.short}`, description: f.description });
  }
  return matching(prefix, out);
};

/** What to offer for `words` (the last one is being completed). Pure: no I/O. */
export function planCompletion(words: readonly string[], reg: Registry): Plan {
  const current = words.length ? words[words.length - 1] : '';
  const s = scan(words.slice(0, -1), reg);
  const specs = [...(s.cmd?.flags ?? []), ...reg.common];

  if (s.pendingFlag) return valuePlan(s.pendingFlag, current, s);
  if (current.startsWith('-') && current !== '-' && current.includes('=')) {
    const spec = findFlag(specs, current);
    return spec && spec.kind !== 'boolean' ? valuePlan(spec, current.slice(current.indexOf('=') + 1), s) : none();
  }
  if (current.startsWith('-')) return { kind: 'static', candidates: flagCandidates(specs, current), directive: Directive.noFileComp };
  if (!s.cmd) {
    return {
      kind: 'static',
      candidates: matching(
        current,
        reg.commands.map((c) => ({ value: c.name, description: c.summary })),
      ),
      directive: Directive.noFileComp,
    };
  }
  const slot =
    s.cmd.name === 'completion' && s.flags['kubectl-plugin'] === true
      ? s.positionals.length
        ? undefined
        : 'DIR'
      : positionalSlots(s.cmd)[s.positionals.length];
  if (slot === 'SERVICE') return { kind: 'lookup', lookup: 'services', prefix: current, flags: s.flags };
  if (slot && POSITIONAL_CHOICES[slot]) {
    return {
      kind: 'static',
      candidates: matching(
        current,
        POSITIONAL_CHOICES[slot].map((value) => ({ value })),
      ),
      directive: Directive.noFileComp,
    };
  }
  if (slot === 'DIR') return none(Directive.filterDirs);
  return none();
}

/** cobra's wire format. Descriptions stay on one line; tabs and newlines in values are dropped. */
export function formatCompletions(candidates: readonly Candidate[], directive: number): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  const lines = candidates.map((c) => (c.description ? `${clean(c.value)}\t${clean(c.description).split('. ')[0]}` : clean(c.value)));
  return `${[...lines, `:${directive}`].join('\n')}\n`;
}

export type DestinationRuleLike = { spec?: { host?: string; subsets?: { name?: string }[] } };

/** Subset names of the DestinationRules for `service` (all of them without one), sorted, unique. */
export function subsetNames(rules: readonly DestinationRuleLike[], service: string | undefined, namespace: string): string[] {
  const forService = (host: string | undefined): boolean => {
    if (!service || !host) return !service;
    const [name, ns] = host.split('.');
    return name === service && (ns === undefined || ns === namespace);
  };
  const names = rules.filter((r) => forService(r.spec?.host)).flatMap((r) => (r.spec?.subsets ?? []).map((s) => s.name ?? ''));
  return [...new Set(names.filter(Boolean))].sort();
}
