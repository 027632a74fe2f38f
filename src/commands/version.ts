// `kubectl mesh version`: like `kubectl version`, the client first, then what the cluster serves.
// The code that runs it is in run/version.ts.
import { bool, str } from '../cli/global-flags.js';
import { verb } from './command.js';
import type { VersionOptions } from './run/version.js';

export const versionCommand = verb({
  name: 'version',
  summary: 'Print the client, Kubernetes, Istio API and istioctl versions',
  usage: 'version [--client] [-o json|yaml] [flags]',
  description:
    'Print the plugin version and, unless --client is given, the Kubernetes version of the\ncluster, the Istio networking API version it serves and the istioctl that would be used.\nWhen the cluster cannot be reached, the client version is printed, then the error.',
  examples: ['kubectl mesh version', 'kubectl mesh version --client', 'kubectl mesh version -o json'],
  flags: [
    { name: 'client', kind: 'boolean', description: 'print the client version only; do not contact the cluster' },
    { name: 'istioctl', kind: 'string', placeholder: 'PATH', description: 'istioctl to report (default: $ISTIOCTL, then PATH)' },
  ],
  options: (_args, flags): VersionOptions => ({ clientOnly: bool(flags, 'client'), istioctl: str(flags, 'istioctl') }),
  load: () => import('./run/version.js').then((m) => m.runVersion),
});
