// Picks the Source for a command: -f files (offline), else the cluster.
import { list } from '../../cli/global-flags.js';
import type { Context } from '../../context.js';
import type { Source } from '../../source/source.js';

export async function openSource(ctx: Context): Promise<Source> {
  const files = list(ctx.flags, 'filename');
  if (files.length) {
    const { filesSource } = await import('../../source/files.js');
    return filesSource(files, ctx.flags['in-place'] === true);
  }
  const { clusterSource } = await import('../../source/cluster.js');
  return clusterSource(await ctx.kube());
}

export async function analysisRunner(ctx: Context, source: Source) {
  if (!source.live) return undefined;
  const { createIstioctl } = await import('../../istioctl/istioctl.js');
  const istioctl = createIstioctl({
    explicit: typeof ctx.flags.istioctl === 'string' ? ctx.flags.istioctl : undefined,
    env: ctx.env,
    kubeconfig: typeof ctx.flags.kubeconfig === 'string' ? ctx.flags.kubeconfig : undefined,
    context: typeof ctx.flags.context === 'string' ? ctx.flags.context : undefined,
  });
  return istioctl.analyze;
}
