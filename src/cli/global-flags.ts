// Flags every verb accepts: kubectl's connection flags plus output and interaction.
import type { FlagSpec, FlagValues } from './flags.js';
import { UsageError } from '../errors.js';

export const connectionFlags: FlagSpec[] = [
  { name: 'namespace', short: 'n', kind: 'string', placeholder: 'NS', description: 'namespace (default: the kubeconfig context\'s namespace)' },
  { name: 'kubeconfig', kind: 'string', placeholder: 'FILE', description: 'path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' },
  { name: 'context', kind: 'string', placeholder: 'NAME', description: 'kubeconfig context to use' },
  { name: 'cluster', kind: 'string', placeholder: 'NAME', description: 'kubeconfig cluster to use' },
  { name: 'user', kind: 'string', placeholder: 'NAME', description: 'kubeconfig user to use' },
  { name: 'as', kind: 'string', placeholder: 'USER', description: 'user to impersonate' },
  { name: 'as-group', kind: 'list', placeholder: 'GROUP', description: 'group to impersonate (repeatable)' },
  { name: 'request-timeout', kind: 'string', placeholder: '30s', description: 'timeout for each API request (e.g. 5s, 1m, 500ms; 0 = none)' },
];

export const commonFlags: FlagSpec[] = [
  ...connectionFlags,
  { name: 'output', short: 'o', kind: 'string', choices: ['table', 'json', 'yaml'], placeholder: 'json|yaml', description: 'output format' },
  { name: 'no-input', kind: 'boolean', description: 'never prompt; fail when a value is missing' },
  { name: 'no-color', kind: 'boolean', description: 'disable colours (also NO_COLOR=1)' },
  { name: 'v', short: 'v', kind: 'string', bareValue: '1', placeholder: 'LEVEL', description: 'verbosity: -v shows error causes, -v=6 logs API requests' },
  { name: 'help', short: 'h', kind: 'boolean', description: 'help for this command' },
];

export const versionLabelFlag: FlagSpec = { name: 'version-label', kind: 'string', placeholder: 'LABEL', description: 'pod label that tells versions apart (default: version)' };
export const allNamespacesFlag: FlagSpec = { name: 'all-namespaces', short: 'A', kind: 'boolean', description: 'every namespace' };

/** Flags shared by verbs that change routing. */
export const writeFlags: FlagSpec[] = [
  { name: 'dry-run', kind: 'string', choices: ['none', 'client', 'server'], bareValue: 'client', placeholder: 'client|server', description: 'print what would be written (client) or have the API server validate it (server)' },
  { name: 'diff', kind: 'boolean', description: 'print a diff of the routing change' },
  { name: 'yes', short: 'y', kind: 'boolean', description: 'do not ask for confirmation' },
  { name: 'force', kind: 'boolean', description: 'write even when analysis finds errors or a subset has no Ready pods' },
  { name: 'istioctl', kind: 'string', placeholder: 'PATH', description: 'istioctl to run for analysis (default: $ISTIOCTL, then PATH)' },
  { name: 'filename', short: 'f', kind: 'list', placeholder: 'FILE|DIR', description: 'work on YAML files instead of the cluster (offline / GitOps)' },
  { name: 'in-place', kind: 'boolean', description: 'with -f: rewrite the files, keeping comments and key order' },
  { name: 'scale-hpa', kind: 'boolean', description: 'scale each version\'s HPA min/max in proportion to its weight' },
  versionLabelFlag,
];

/** The write flags a verb has use for (scale-hpa means nothing to env, force nothing to rollback …). */
export const writeFlagsExcept = (...names: string[]): FlagSpec[] => writeFlags.filter((f) => !names.includes(f.name));

/** Parses kubectl-style durations ("30s", "1m", "500ms", "5" = seconds) into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid duration "${text}" for --${flag}`, 'use a number with a unit, e.g. 5s, 1m, 500ms');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return Math.round(Number(m[1]) * unit);
}

export const str = (flags: FlagValues, name: string): string | undefined => {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
};
export const bool = (flags: FlagValues, name: string): boolean => flags[name] === true;
export const list = (flags: FlagValues, name: string): string[] => {
  const v = flags[name];
  return Array.isArray(v) ? v : [];
};
