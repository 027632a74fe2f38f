// `kubectl mesh version`: like `kubectl version`, the client first, then what the cluster
// serves. When the cluster cannot be reached the client version is still printed, then the
// error, and the exit code is the error's (kubectl exits non-zero there too).
import type { Context } from '../../context.js';
import { ExitCode, PreconditionError, type ExitCodeValue } from '../../errors.js';
import { clientVersion } from '../../version.js';
import { printData } from '../../ui/output.js';

export interface VersionOptions {
  /** --client: do not contact the cluster. */
  clientOnly: boolean;
  istioctl: string | undefined;
}

export interface VersionInfo {
  clientVersion: string;
  /** Absent with --client or when the cluster could not be asked. */
  kubernetesVersion?: string;
  /** e.g. "networking.istio.io/v1"; null when the cluster serves no Istio networking API. */
  istioApiVersion?: string | null;
  /** null when no istioctl was found. */
  istioctl?: { path: string; version: string | null } | null;
}

const withV = (v: string): string => (/^\d/.test(v) ? `v${v}` : v);

/** The table form, in kubectl's "Name Version: value" layout. */
export function renderVersion(info: VersionInfo): string {
  const lines = [`Client Version: ${withV(info.clientVersion)}`];
  if (info.kubernetesVersion !== undefined) lines.push(`Kubernetes Version: ${info.kubernetesVersion}`);
  if (info.istioApiVersion !== undefined)
    lines.push(`Istio API Version: ${info.istioApiVersion ?? 'not served (Istio CRDs are not installed)'}`);
  if (info.istioctl !== undefined) {
    lines.push(
      `istioctl Version: ${
        info.istioctl ? `${info.istioctl.version ?? 'unknown'} (${info.istioctl.path})` : 'not found (pass --istioctl PATH or set ISTIOCTL)'
      }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function findIstioctl(ctx: Context, explicit: string | undefined): Promise<VersionInfo['istioctl']> {
  const { locateIstioctl } = await import('../../istioctl/locate.js');
  const { istioctlVersion } = await import('../../istioctl/istioctl.js');
  const opts = { env: ctx.env, ...(explicit ? { explicit } : {}), timeoutMs: 5000 };
  const path = await locateIstioctl(opts);
  return path ? { path, version: (await istioctlVersion(opts)) ?? null } : null;
}

async function clusterVersions(ctx: Context): Promise<Pick<VersionInfo, 'kubernetesVersion' | 'istioApiVersion'>> {
  const kube = await ctx.kube();
  try {
    const [kubernetesVersion, istio] = await Promise.all([
      kube.serverVersion(),
      kube.istioVersion().then(
        (v) => `networking.istio.io/${v}`,
        (err: unknown) => {
          if (err instanceof PreconditionError) return null;
          throw err;
        },
      ),
    ]);
    return { kubernetesVersion, istioApiVersion: istio };
  } finally {
    kube.close();
  }
}

export async function runVersion(ctx: Context, opts: VersionOptions): Promise<ExitCodeValue> {
  const info: VersionInfo = { clientVersion };
  if (opts.clientOnly) {
    await printData(ctx, info, () => renderVersion(info));
    return ExitCode.ok;
  }
  const [cluster, istioctl] = await Promise.allSettled([clusterVersions(ctx), findIstioctl(ctx, opts.istioctl)]);
  if (istioctl.status === 'fulfilled') info.istioctl = istioctl.value;
  if (cluster.status === 'fulfilled') Object.assign(info, cluster.value);
  // Keep a stable key order for -o json|yaml: client, cluster, then local tools.
  const ordered: VersionInfo = {
    clientVersion: info.clientVersion,
    ...(info.kubernetesVersion !== undefined
      ? { kubernetesVersion: info.kubernetesVersion, istioApiVersion: info.istioApiVersion ?? null }
      : {}),
    ...(info.istioctl !== undefined ? { istioctl: info.istioctl } : {}),
  };
  await printData(ctx, ordered, () => renderVersion(ordered));
  if (cluster.status === 'rejected') throw cluster.reason;
  return ExitCode.ok;
}
