// How every istioctl invocation that may reach the cluster is pointed at it: the connection kubectl-mesh
// itself uses (kube's toolKubeconfig: server, TLS, credentials, impersonation — whatever came from
// flags or the kubeconfig), written to a private temporary kubeconfig for that one run. Without it
// (no live client), the user's --kubeconfig/--context are passed through as given.
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EffectiveConnection {
  kubeconfig: string;
  /**
   * istioctl's own --as/--as-group/--as-uid replace the kubeconfig's whole impersonation, so they are
   * passed too. as-user-extra has no istioctl flag, so istioctl acts without it (Istio's
   * istioctl/pkg/cli/context.go sets rest.Config.Impersonate from its flags alone).
   */
  impersonationArgs: string[];
}

export type ConnectionSource = () => Promise<EffectiveConnection | undefined>;

/** A kubeconfig in a fresh 0700 directory, file mode 0600. */
async function writePrivateKubeconfig(text: string): Promise<{ file: string; remove(): void }> {
  const dir = await mkdtemp(join(tmpdir(), 'kubectl-mesh-istioctl-'));
  const file = join(dir, 'kubeconfig');
  try {
    await writeFile(file, text, { mode: 0o600 });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    file,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `fn` with the arguments that point istioctl at the cluster — `--kubeconfig TEMP` plus
 * impersonation flags, or without a source the user's --kubeconfig/--context — and removes the
 * temporary kubeconfig afterwards, whatever happens.
 */
export async function withIstioctlConnection<T>(
  source: ConnectionSource | undefined,
  given: { kubeconfig?: string; context?: string },
  fn: (args: string[]) => Promise<T>,
): Promise<T> {
  const effective = await source?.();
  if (!effective)
    return fn([...(given.kubeconfig ? ['--kubeconfig', given.kubeconfig] : []), ...(given.context ? ['--context', given.context] : [])]);
  const temp = await writePrivateKubeconfig(effective.kubeconfig);
  try {
    return await fn(['--kubeconfig', temp.file, ...effective.impersonationArgs]);
  } finally {
    temp.remove();
  }
}
