// Hidden verb `__complete`: answers shell completion in cobra's protocol, which is what kubectl
// (1.26+) expects from `kubectl_complete-mesh`: one candidate per line ("value" or
// "value<TAB>description"), then a last line ":<directive>".
//   kubectl-mesh __complete -- WORD... CURRENT
// The words are everything after `mesh`; the last one is the word being completed ("" after a space).
// `planCompletion` decides from the Command registry alone (pure); `run` does the look-ups a plan
// asks for (kubeconfig, cluster) with a short timeout and stays silent when they fail.
import type { FlagSpec, FlagValues } from '../cli/flags.js';
import { commonFlags } from '../cli/global-flags.js';
import { createContext, type Context } from '../context.js';
import type { KubeClient } from '../kube/index.js';
import type { Command } from './command.js';

/** cobra's ShellCompDirective bits. */
export const Directive = { error: 1, noSpace: 2, noFileComp: 4, filterFileExt: 8, filterDirs: 16, keepOrder: 32, default: 0 } as const;

export type Lookup = 'namespaces' | 'services' | 'subsets' | 'contexts' | 'clusters' | 'users';

export interface Candidate { value: string; description?: string }

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
    const w = words[i]!;
    if (w === '--') { out.positionals.push(...words.slice(i + 1)); break; }
    if (w.startsWith('-') && w !== '-' && !/^-\d/.test(w)) {
      const eq = w.indexOf('=');
      const spec = findFlag(specs(), w);
      if (!spec) continue;
      if (spec.kind === 'boolean') { out.flags[spec.name] = true; continue; }
      let value: string | undefined = eq === -1 ? (w.startsWith('--') || w.length === 2 ? undefined : w.slice(2)) : w.slice(eq + 1);
      if (value === undefined) {
        const next = words[i + 1];
        // The word being completed may be the value (a flag with a bare form takes it only from its choices).
        if (next === undefined) { out.pendingFlag = spec; break; }
        if (spec.bareValue !== undefined && !spec.choices?.includes(next)) value = spec.bareValue;
        else { value = next; i++; }
      }
      if (spec.kind === 'list') out.flags[spec.name] = [...((out.flags[spec.name] as string[] | undefined) ?? []), value];
      else out.flags[spec.name] = value;
      continue;
    }
    if (!out.cmd) {
      const cmd = reg.commands.find((c) => c.name === w);
      if (cmd) { out.cmd = cmd; continue; }
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
  if (spec.choices) return { kind: 'static', candidates: matching(prefix, spec.choices.map((value) => ({ value }))), directive: Directive.noFileComp };
  const lookup = FLAG_LOOKUPS[spec.name];
  if (lookup) return { kind: 'lookup', lookup, prefix, flags: s.flags, ...serviceOf(s) };
  if (spec.name in FILE_FLAGS) {
    const exts = FILE_FLAGS[spec.name];
    return exts ? { kind: 'static', candidates: exts.map((value) => ({ value })), directive: Directive.filterFileExt } : none(Directive.default);
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
  const current = words.length ? words[words.length - 1]! : '';
  const s = scan(words.slice(0, -1), reg);
  const specs = [...(s.cmd?.flags ?? []), ...reg.common];

  if (s.pendingFlag) return valuePlan(s.pendingFlag, current, s);
  if (current.startsWith('-') && current !== '-' && current.includes('=')) {
    const spec = findFlag(specs, current);
    return spec && spec.kind !== 'boolean' ? valuePlan(spec, current.slice(current.indexOf('=') + 1), s) : none();
  }
  if (current.startsWith('-')) return { kind: 'static', candidates: flagCandidates(specs, current), directive: Directive.noFileComp };
  if (!s.cmd) {
    return { kind: 'static', candidates: matching(current, reg.commands.map((c) => ({ value: c.name, description: c.summary }))), directive: Directive.noFileComp };
  }
  const slot = s.cmd.name === 'completion' && s.flags['kubectl-plugin'] === true ? (s.positionals.length ? undefined : 'DIR') : positionalSlots(s.cmd)[s.positionals.length];
  if (slot === 'SERVICE') return { kind: 'lookup', lookup: 'services', prefix: current, flags: s.flags };
  if (slot && POSITIONAL_CHOICES[slot]) {
    return { kind: 'static', candidates: matching(current, POSITIONAL_CHOICES[slot].map((value) => ({ value }))), directive: Directive.noFileComp };
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

/** Names for a look-up; throws on any failure (the caller stays silent). */
async function lookUp(plan: Extract<Plan, { kind: 'lookup' }>, ctx: Context): Promise<string[]> {
  if (plan.lookup === 'contexts' || plan.lookup === 'clusters' || plan.lookup === 'users') {
    const { kubeconfigPaths, loadKubeconfig } = await import('../kube/kubeconfig.js');
    const kc = loadKubeconfig(kubeconfigPaths({ kubeconfig: typeof plan.flags.kubeconfig === 'string' ? plan.flags.kubeconfig : undefined, env: ctx.env }));
    return [...{ contexts: kc.contexts, clusters: kc.clusters, users: kc.users }[plan.lookup].keys()];
  }
  const kube = await ctx.kube();
  try {
    if (plan.lookup === 'namespaces') return (await kube.list('Namespace', undefined)).map((o) => o.metadata.name ?? '');
    if (plan.lookup === 'services') return (await kube.list('Service', kube.namespace)).map((o) => o.metadata.name ?? '');
    const [rules, versions] = await Promise.all([
      kube.list('DestinationRule', kube.namespace),
      plan.service ? versionsOf(kube, plan.service, versionLabel(plan.flags)) : Promise.resolve([]),
    ]);
    return [...subsetNames(rules as DestinationRuleLike[], plan.service, kube.namespace), ...versions];
  } finally {
    kube.close();
  }
}

const versionLabel = (flags: FlagValues): string => (typeof flags['version-label'] === 'string' && flags['version-label']) || 'version';

/** The version label values of the Deployments whose pods the Service selects (subsets to be). */
async function versionsOf(kube: KubeClient, service: string, label: string): Promise<string[]> {
  const svc = await kube.get('Service', kube.namespace, service);
  const selector = (svc?.spec as { selector?: Record<string, string> } | undefined)?.selector;
  if (!selector || !Object.keys(selector).length) return [];
  const deployments = await kube.list('Deployment', kube.namespace);
  return deployments.flatMap((d) => {
    const labels = (d.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata?.labels ?? {};
    const selected = Object.entries(selector).every(([k, v]) => labels[k] === v);
    return selected && labels[label] ? [labels[label]] : [];
  });
}

type DestinationRuleLike = { spec?: { host?: string; subsets?: { name?: string }[] } };

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

export const LOOKUP_TIMEOUT_MS = 1000;

export const completeCommand: Command = {
  name: '__complete',
  summary: 'Shell completion protocol (used by kubectl_complete-mesh and the completion scripts)',
  usage: '__complete -- WORD... CURRENT',
  examples: ['kubectl-mesh __complete -- canary 20 ""'],
  flags: [],
  async run(ctx, args) {
    const { commands } = await import('./index.js');
    const plan = planCompletion(args, { commands, common: commonFlags });
    if (plan.kind === 'static') {
      ctx.streams.stdout.write(formatCompletions(plan.candidates, plan.directive));
      return;
    }
    // Look-ups use the connection flags typed so far, and never wait long or print errors.
    const lookupCtx = createContext(ctx.streams, ctx.env, { 'request-timeout': '1s', ...plan.flags });
    let names: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      names = await Promise.race([
        lookUp(plan, lookupCtx),
        new Promise<string[]>((resolve) => { timer = setTimeout(() => { timedOut = true; resolve([]); }, LOOKUP_TIMEOUT_MS); }),
      ]);
    } catch { /* silent: completion must never print an error */ } finally {
      clearTimeout(timer);
    }
    const candidates = [...new Set(names)].sort().filter((n) => n.startsWith(plan.prefix)).map((value) => ({ value }));
    ctx.streams.stdout.write(formatCompletions(candidates, Directive.noFileComp));
    // A hung API server (or credential plugin) would keep the process, and so the shell, waiting:
    // the answer is written (stdout to a pipe or file is synchronous), so leave now.
    if (timedOut) setTimeout(() => process.exit(0), 0).unref();
  },
};
