// Flags every verb accepts: kubectl's connection flags plus output and interaction.
import type { FlagSpec, FlagValues } from './flags.js';
import { UsageError } from '../errors.js';

/** All of kubectl's connection flags (`kubectl options`), with kubectl's meaning. */
export const connectionFlags: FlagSpec[] = [
  {
    name: 'namespace',
    short: 'n',
    kind: 'string',
    placeholder: 'NS',
    description: "namespace (default: the kubeconfig context's namespace)",
  },
  {
    name: 'kubeconfig',
    kind: 'string',
    placeholder: 'FILE',
    description: 'path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)',
  },
  { name: 'context', kind: 'string', placeholder: 'NAME', description: 'kubeconfig context to use' },
  { name: 'cluster', kind: 'string', placeholder: 'NAME', description: 'kubeconfig cluster to use' },
  { name: 'user', kind: 'string', placeholder: 'NAME', description: 'kubeconfig user to use' },
  { name: 'server', short: 's', kind: 'string', placeholder: 'URL', description: 'address and port of the Kubernetes API server' },
  { name: 'certificate-authority', kind: 'string', placeholder: 'FILE', description: 'cert file of the certificate authority' },
  { name: 'client-certificate', kind: 'string', placeholder: 'FILE', description: 'client certificate file for TLS' },
  { name: 'client-key', kind: 'string', placeholder: 'FILE', description: 'client key file for TLS' },
  { name: 'insecure-skip-tls-verify', kind: 'boolean', description: "do not verify the server's certificate (insecure)" },
  { name: 'tls-server-name', kind: 'string', placeholder: 'NAME', description: 'server name to verify the server certificate against' },
  { name: 'token', kind: 'string', placeholder: 'TOKEN', description: 'bearer token for authentication to the API server' },
  { name: 'username', kind: 'string', placeholder: 'NAME', description: 'username for basic authentication' },
  { name: 'password', kind: 'string', placeholder: 'PASSWORD', description: 'password for basic authentication' },
  { name: 'as', kind: 'string', placeholder: 'USER', description: 'user to impersonate' },
  { name: 'as-group', kind: 'list', placeholder: 'GROUP', description: 'group to impersonate (repeatable)' },
  { name: 'as-uid', kind: 'string', placeholder: 'UID', description: 'UID to impersonate' },
  {
    name: 'request-timeout',
    kind: 'string',
    placeholder: '0',
    description: 'timeout for each API request: seconds, or a duration like 5s, 1m (0 = none)',
  },
  { name: 'cache-dir', kind: 'string', placeholder: 'DIR', description: 'cache directory (default: $KUBECACHEDIR, then ~/.kube/cache)' },
  { name: 'disable-compression', kind: 'boolean', description: 'no response compression (kubectl-mesh never asks for it)' },
  {
    name: 'match-server-version',
    kind: 'boolean',
    description: 'stop unless the server first answers /version with a version (not compared: kubectl-mesh is no Kubernetes build)',
  },
];

export const commonFlags: FlagSpec[] = [
  ...connectionFlags,
  {
    name: 'output',
    short: 'o',
    kind: 'string',
    choices: ['table', 'json', 'yaml'],
    placeholder: 'json|yaml',
    description: 'output format',
  },
  { name: 'no-input', kind: 'boolean', description: 'never prompt; fail when a value is missing' },
  { name: 'no-color', kind: 'boolean', description: 'disable colours (also NO_COLOR=1)' },
  {
    name: 'v',
    short: 'v',
    kind: 'string',
    bareValue: '1',
    placeholder: 'LEVEL',
    description: 'verbosity: -v shows error causes, -v=6 logs API requests',
  },
  { name: 'help', short: 'h', kind: 'boolean', description: 'help for this command' },
];

export const versionLabelFlag: FlagSpec = {
  name: 'version-label',
  kind: 'string',
  placeholder: 'LABEL',
  description: 'pod label that tells versions apart (default: version)',
};
export const allNamespacesFlag: FlagSpec = { name: 'all-namespaces', short: 'A', kind: 'boolean', description: 'every namespace' };

/** Where istiod is when it runs outside the cluster (--wait, status). Default: istioctl finds it in the cluster. */
export const xdsFlags: FlagSpec[] = [
  {
    name: 'xds-address',
    kind: 'string',
    placeholder: 'HOST:PORT',
    description: "istiod's xDS address, for an istiod outside the cluster (istioctl --xds-address; also $ISTIOCTL_XDS_ADDRESS)",
  },
  {
    name: 'xds-plaintext',
    kind: 'boolean',
    description: 'talk plain-text HTTP/2 to --xds-address (istioctl --plaintext; also $ISTIOCTL_PLAINTEXT)',
  },
];

/** Flags shared by verbs that change routing. */
export const writeFlags: FlagSpec[] = [
  {
    name: 'wait',
    kind: 'string',
    bareValue: '60s',
    placeholder: 'TIMEOUT',
    description: 'after writing, wait until every proxy serving the service has the change (default 60s); exit 4 if not',
  },
  ...xdsFlags,
  {
    name: 'dry-run',
    kind: 'string',
    choices: ['none', 'client', 'server'],
    bareValue: 'client',
    placeholder: 'client|server',
    description: 'print what would be written (client) or have the API server validate it (server)',
  },
  { name: 'diff', kind: 'boolean', description: 'print a diff of the routing change' },
  { name: 'yes', short: 'y', kind: 'boolean', description: 'do not ask for confirmation' },
  { name: 'force', kind: 'boolean', description: 'write even when analysis finds errors or a subset has no Ready pods' },
  { name: 'istioctl', kind: 'string', placeholder: 'PATH', description: 'istioctl to run for analysis (default: $ISTIOCTL, then PATH)' },
  {
    name: 'filename',
    short: 'f',
    kind: 'list',
    placeholder: 'FILE|DIR',
    description: 'work on YAML files instead of the cluster (offline / GitOps)',
  },
  { name: 'in-place', kind: 'boolean', description: 'with -f: rewrite the files, keeping comments and key order' },
  { name: 'scale-hpa', kind: 'boolean', description: "scale each version's HPA min/max in proportion to its weight" },
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

/** Node's timers hold at most 2^31-1 ms (~24.8 days); longer means "no practical limit". */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * --request-timeout as kubectl parses it (clientcmd.ParseTimeout): a bare non-negative integer is
 * seconds, else a Go duration ("1h30m", "500ms", "1.5s"); 0 (or a negative duration) means no
 * timeout. Returns ms, capped at what a Node timer can hold.
 */
export function parseRequestTimeout(text: string): number {
  const bad = () =>
    new UsageError(
      `invalid value "${text}" for --request-timeout`,
      'use a whole number of seconds or a duration with units, e.g. 30, 5s, 2m, 1h (0 = no timeout)',
    );
  let ms: number;
  if (/^\+?\d+$/.test(text)) ms = Number(text.replace('+', '')) * 1000;
  else {
    const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/.exec(text);
    if (!m) {
      if (/^[-+]?0$/.test(text)) return 0;
      throw bad();
    }
    ms = 0;
    for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g)) ms += Number(part[1]) * GO_UNITS[part[2]];
    if (m[1] === '-') return 0;
  }
  if (!Number.isFinite(ms)) throw bad();
  // A positive duration under 1 ms still bounds the request.
  return ms === 0 ? 0 : Math.min(Math.max(1, Math.round(ms)), MAX_TIMER_MS);
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
