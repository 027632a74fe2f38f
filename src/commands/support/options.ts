// Flags become typed options once, at the verb's edge (kubectl's Complete → Validate → Run): nothing
// below a verb reads the flag bag, so a misspelt flag is a compile error instead of a silent undefined.
import type { FlagValues } from '../../cli/flags.js';
import { bool, list, parseDuration, str } from '../../cli/global-flags.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_VERSION_LABEL } from '../../model/names.js';
import type { DryRun } from '../../source/source.js';

/** Where the objects come from (the cluster, or -f files) and how istioctl reaches the cluster. */
export interface SourceOptions {
  /** -f FILE|DIR; empty: the cluster. */
  files: string[];
  /** --in-place: rewrite the -f files. */
  inPlace: boolean;
  /** -n; undefined: the kubeconfig context's namespace (or the files'). */
  namespace: string | undefined;
  istioctl: string | undefined;
  kubeconfig: string | undefined;
  context: string | undefined;
  /** --xds-address: istiod outside the cluster (undefined: istioctl finds it, or $ISTIOCTL_XDS_ADDRESS). */
  xdsAddress: string | undefined;
  /** --xds-plaintext */
  xdsPlaintext: boolean;
}

/** Which services a verb reads. */
export interface ScopeOptions extends SourceOptions {
  allNamespaces: boolean;
  /** Pod label that tells versions apart. */
  versionLabel: string;
}

/** How a routing change is written. */
export interface WriteOptions extends ScopeOptions {
  dryRun: DryRun;
  diff: boolean;
  /** --yes: do not ask for confirmation. */
  yes: boolean;
  /** Write even when readiness or analysis would block. */
  force: boolean;
  /** Scale each version's HPA in proportion to its weight. */
  scaleHpa: boolean;
  /** --wait[=TIMEOUT] in ms: wait until the proxies have the change; undefined: do not wait. */
  waitMs: number | undefined;
}

export function sourceOptions(flags: FlagValues): SourceOptions {
  return {
    files: list(flags, 'filename'),
    inPlace: bool(flags, 'in-place'),
    namespace: str(flags, 'namespace'),
    istioctl: str(flags, 'istioctl'),
    kubeconfig: str(flags, 'kubeconfig'),
    context: str(flags, 'context'),
    xdsAddress: str(flags, 'xds-address'),
    xdsPlaintext: bool(flags, 'xds-plaintext'),
  };
}

export function scopeOptions(flags: FlagValues): ScopeOptions {
  return {
    ...sourceOptions(flags),
    allNamespaces: bool(flags, 'all-namespaces'),
    versionLabel: str(flags, 'version-label') || DEFAULT_VERSION_LABEL,
  };
}

export function writeOptions(flags: FlagValues): WriteOptions {
  return {
    ...scopeOptions(flags),
    dryRun: dryRunOf(str(flags, 'dry-run') ?? 'none'),
    diff: bool(flags, 'diff'),
    yes: bool(flags, 'yes'),
    force: bool(flags, 'force'),
    scaleHpa: bool(flags, 'scale-hpa'),
    waitMs: str(flags, 'wait') === undefined ? undefined : parseDuration(str(flags, 'wait')!, 'wait'),
  };
}

function dryRunOf(value: string): DryRun {
  if (value === 'none' || value === 'client' || value === 'server') return value;
  throw new UsageError(`invalid value "${value}" for --dry-run`, 'use one of: none, client, server');
}
