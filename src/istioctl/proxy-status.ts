// `istioctl proxy-status -o json`: which proxies istiod serves and whether they acknowledged its last
// push. Out-of-cluster istiod: --xds-address HOST:PORT (+ --xds-plaintext), or istioctl's own
// ISTIOCTL_XDS_ADDRESS / ISTIOCTL_PLAINTEXT (inherited); otherwise istioctl finds istiod in the cluster.
import { parseProxyStatus, type ProxySync } from '../routing/proxy-sync.js';
import { withIstioctlConnection, type ConnectionSource } from './connection.js';
import { runIstioctl, type RunOutcome } from './istioctl.js';

export interface XdsTarget {
  /** istiod's xDS address (host:port); undefined = istioctl's in-cluster discovery. */
  address?: string;
  plaintext?: boolean;
  kubeconfig?: string;
  context?: string;
  /**
   * The connection kubectl-mesh uses (see connection.ts): replaces kubeconfig/context, so istioctl
   * finds istiod (pods, port-forward, token) on the same server as the same user.
   */
  connection?: ConnectionSource;
  env?: Record<string, string | undefined>;
}

export type ProxyStatusResult = { ok: true; proxies: ProxySync[] } | { ok: false; why: string };

export function proxyStatusArgs(t: XdsTarget): string[] {
  const args = ['proxy-status', '--output', 'json'];
  if (t.address) args.push('--xds-address', t.address);
  if (t.plaintext) args.push('--plaintext');
  if (t.kubeconfig) args.push('--kubeconfig', t.kubeconfig);
  if (t.context) args.push('--context', t.context);
  return args;
}

const firstLine = (s: string): string =>
  s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '') ?? '';

/** One proxy-status read. Never throws: an unreachable istiod or odd output is a `why`. */
export async function readProxyStatus(bin: string, target: XdsTarget, timeoutMs: number): Promise<ProxyStatusResult> {
  const xds = proxyStatusArgs({ address: target.address, plaintext: target.plaintext });
  let r: RunOutcome;
  try {
    r = await withIstioctlConnection(target.connection, target, (connection) =>
      runIstioctl(bin, [...xds, ...connection], { timeoutMs, ...(target.env ? { env: target.env } : {}) }),
    );
  } catch (err) {
    return { ok: false, why: `cannot point istioctl proxy-status at the cluster (${err instanceof Error ? err.message : String(err)})` };
  }
  if (r.timedOut) return { ok: false, why: `istioctl proxy-status timed out after ${timeoutMs / 1000}s` };
  if (r.failure) return { ok: false, why: `istioctl proxy-status failed (${r.failure})` };
  if (r.exitCode !== 0) return { ok: false, why: `istioctl proxy-status failed: ${firstLine(r.stderr) || `exit code ${r.exitCode}`}` };
  const parsed = parseProxyStatus(r.stdout);
  return parsed.ok
    ? parsed
    : { ok: false, why: `cannot read istioctl proxy-status output (${parsed.detail}); --wait needs istioctl 1.30 or later` };
}
