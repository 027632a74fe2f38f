// Picks the Source for a command: -f files (offline), else the cluster.
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Source } from '../../source/source.js';
import type { SourceOptions } from './options.js';

export async function openSource(ctx: Context, opts: SourceOptions): Promise<Source> {
  if (opts.files.length) {
    const { filesSource } = await import('../../source/files.js');
    return filesSource(opts.files, { inPlace: opts.inPlace, namespace: opts.namespace, note: ctx.note });
  }
  // Without files, --in-place would quietly mean "write to the live cluster".
  if (opts.inPlace)
    throw new UsageError(
      '--in-place needs -f FILE|DIR: it rewrites those files',
      'pass -f with the manifests to rewrite, or leave out --in-place to change the cluster',
    );
  const { clusterSource } = await import('../../source/cluster.js');
  return clusterSource(await ctx.kube());
}

export async function analysisRunner(ctx: Context, source: Source, opts: SourceOptions) {
  if (!source.live) return undefined;
  const { createIstioctl } = await import('../../istioctl/istioctl.js');
  const istioctl = createIstioctl({
    explicit: opts.istioctl,
    env: ctx.env,
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    // istioctl talks to what we talk to, as the same identity (a private temporary kubeconfig).
    effectiveKubeconfig: async () => (await ctx.kube()).toolKubeconfig?.(),
  });
  const { withValidation } = await import('../../istioctl/validate.js');
  return withValidation(istioctl.analyze, istioctl.locate, 20_000);
}
