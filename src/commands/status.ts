// `status`: what goes where, and whether it is healthy. The code that runs it is in run/status.ts.
import type { FlagValues } from '../cli/flags.js';
import { allNamespacesFlag, bool, str, versionLabelFlag, xdsFlags } from '../cli/global-flags.js';
import { UsageError } from '../errors.js';
import { verb } from './command.js';
import { serviceArg } from './support/args.js';
import { scopeOptions } from './support/options.js';
import type { StatusOptions } from './run/status.js';
import { prometheusFlags } from './support/rollout-options.js';

function statusOptions(args: string[], flags: FlagValues): StatusOptions {
  const service = args.length ? serviceArg(args, 0, 'status [SERVICE]') : undefined;
  const scope = scopeOptions(flags);
  if (service && scope.allNamespaces) throw new UsageError('SERVICE and -A do not go together', 'pass -n NAMESPACE with a SERVICE');
  return {
    service,
    scope,
    metrics: !bool(flags, 'no-metrics') && { url: str(flags, 'prometheus'), tokenFile: str(flags, 'prometheus-token-file') },
    proxies: bool(flags, 'proxies'),
    watch: bool(flags, 'watch'),
  };
}

export const statusCommand = verb({
  name: 'status',
  summary: 'Show what goes where, and whether it is healthy',
  usage: 'status [SERVICE] [-A] [--watch] [flags]',
  description:
    'Per service: hosts, gateways, weight per subset, header routes, Ready pods, HPAs, a rollout in progress,\nand warnings (no Ready pods, weights totalling 0, foreign routes shadowing ours, drift since our last write).\nWhen Prometheus answers (--prometheus, $MESH_PROMETHEUS_URL, else istio-system/prometheus through the API\nserver, 1.5s at most), also requests/s, success rate and p99 per subset over the last minute.',
  examples: ['kubectl mesh status -n shop', 'kubectl mesh status reviews --watch', 'kubectl mesh status -A -o json'],
  flags: [
    allNamespacesFlag,
    { name: 'watch', short: 'w', kind: 'boolean', description: 'refresh every 2s until Ctrl-C' },
    { name: 'no-metrics', kind: 'boolean', description: 'do not ask Prometheus for requests/s, success rate and p99' },
    ...prometheusFlags,
    versionLabelFlag,
    { name: 'istioctl', kind: 'string', placeholder: 'PATH', description: 'istioctl to ask istiod with (default: $ISTIOCTL, then PATH)' },
    ...xdsFlags,
    {
      name: 'proxies',
      kind: 'boolean',
      description: 'ask istiod in the cluster how many proxies are in sync (on by itself with --xds-address or $ISTIOCTL_XDS_ADDRESS)',
    },
  ],
  options: statusOptions,
  load: () => import('./run/status.js').then((m) => m.runStatus),
});
