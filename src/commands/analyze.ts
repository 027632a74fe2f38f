import { analyzeChange } from '../analysis/run.js';
import { allNamespacesFlag } from '../cli/global-flags.js';
import { ExitCode } from '../errors.js';
import { renderFindings } from '../ui/findings.js';
import { printData } from '../ui/output.js';
import type { Command } from './command.js';
import { serviceArg } from './support/args.js';
import { analysisRunner } from './support/open-source.js';
import { scopeOptions } from './support/options.js';
import { readTargets } from './support/read.js';
import { POD_CODES } from './support/change.js';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'Check routing with istioctl analyze and the built-in Istio checks',
  usage: 'analyze [SERVICE] [-A] [flags]',
  description: [
    'Runs the built-in checks (Istio codes: IST0101, IST0109, IST0130, IST0131, IST0173, IST0174 …, and',
    'kubectl-mesh\'s MESH… codes) and, when istioctl is found (--istioctl, $ISTIOCTL, PATH), istioctl analyze',
    'over the same namespace. Exits 1 when there is an Error finding.',
  ].join('\n'),
  examples: ['kubectl mesh analyze -n shop', 'kubectl mesh analyze reviews', 'kubectl mesh analyze -A -o json'],
  flags: [
    allNamespacesFlag,
    { name: 'istioctl', kind: 'string', placeholder: 'PATH', description: 'istioctl to run (default: $ISTIOCTL, then PATH)' },
    { name: 'filename', short: 'f', kind: 'list', placeholder: 'FILE|DIR', description: 'analyse YAML files instead of the cluster (built-in checks only)' },
  ],
  async run(ctx, args, flags) {
    const service = args.length ? serviceArg(args, 0, 'analyze [SERVICE]') : undefined;
    const opts = scopeOptions(flags);
    const { scope } = await readTargets(ctx, service, opts);
    const inv = scope.inventory;
    const result = await analyzeChange({
      snapshot: { virtualServices: inv.virtualServices, destinationRules: inv.destinationRules, services: inv.services, pods: inv.pods },
      proposed: [],
      namespace: scope.namespace ?? scope.source.defaultNamespace,
      allNamespaces: opts.allNamespaces,
      istioctl: await analysisRunner(ctx, scope.source, opts),
    });
    // Offline there are no pods, so pod-based findings would only be noise.
    const checked = scope.source.live ? result.findings : result.findings.filter((f) => !POD_CODES.has(f.code));
    const findings = service
      ? checked.filter((f) => inv.virtualServices.concat(inv.destinationRules).some((o) =>
        f.origin === `${o.kind} ${o.metadata.namespace}/${o.metadata.name}` && JSON.stringify(o.spec ?? {}).includes(service)))
      : checked;
    if (result.notice) ctx.note(`note: ${result.notice}`);
    await printData(ctx, findings, () => renderFindings(findings, { color: ctx.color }));
    return findings.some((f) => f.level === 'Error') ? ExitCode.failed : ExitCode.ok;
  },
};
