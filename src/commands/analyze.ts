// `analyze`: istioctl analyze plus the built-in checks. The code that runs it is in run/analyze.ts.
import { allNamespacesFlag } from '../cli/global-flags.js';
import { verb } from './command.js';
import { serviceArg } from './support/args.js';
import type { AnalyzeOptions } from './run/analyze.js';
import { scopeOptions } from './support/options.js';

export const analyzeCommand = verb({
  name: 'analyze',
  summary: 'Check routing with istioctl analyze and the built-in Istio checks',
  usage: 'analyze [SERVICE] [-A] [flags]',
  description: [
    'Runs the built-in checks (Istio codes: IST0101, IST0109, IST0130, IST0131, IST0173, IST0174 …, and',
    "kubectl-mesh's MESH… codes) and, when istioctl is found (--istioctl, $ISTIOCTL, PATH), istioctl analyze",
    'over the same namespace. Conflicts are findings, never a reason to stop. Exits 1 when there is an Error finding.',
    'Offline (-f), every file is read whatever -n says (hosts resolve across namespaces); a check that needs an',
    'object the files do not hold is reported as MESH0005 (Info) instead of a guess.',
  ].join('\n'),
  examples: [
    'kubectl mesh analyze -n shop',
    'kubectl mesh analyze reviews',
    'kubectl mesh analyze -A -o json',
    'kubectl mesh analyze -f deploy/ -A',
  ],
  flags: [
    allNamespacesFlag,
    { name: 'istioctl', kind: 'string', placeholder: 'PATH', description: 'istioctl to run (default: $ISTIOCTL, then PATH)' },
    {
      name: 'filename',
      short: 'f',
      kind: 'list',
      placeholder: 'FILE|DIR',
      description: 'analyse YAML files instead of the cluster (built-in checks only)',
    },
  ],
  options: (args, flags): AnalyzeOptions => ({
    service: args.length ? serviceArg(args, 0, 'analyze [SERVICE]') : undefined,
    scope: scopeOptions(flags),
  }),
  load: () => import('./run/analyze.js').then((m) => m.runAnalyze),
});
