import { analyzeChange } from '../analysis/run.js';
import type { ClusterSnapshot } from '../analysis/types.js';
import { allNamespacesFlag } from '../cli/global-flags.js';
import { ExitCode } from '../errors.js';
import { hostRefersTo, namedHosts } from '../model/hosts.js';
import type { DestinationRule, VirtualService } from '../model/objects.js';
import type { Inventory } from '../routing/workloads.js';
import { renderFindings } from '../ui/findings.js';
import { printData } from '../ui/output.js';
import type { Command } from './command.js';
import { serviceArg } from './support/args.js';
import { analysisRunner, openSource } from './support/open-source.js';
import { scopeOptions } from './support/options.js';

const istioGateway = (o: { apiVersion?: string }): boolean => !o.apiVersion || o.apiVersion.startsWith('networking.istio.io/');

export const analyzeCommand: Command = {
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
  async run(ctx, args, flags) {
    const service = args.length ? serviceArg(args, 0, 'analyze [SERVICE]') : undefined;
    const opts = scopeOptions(flags);
    const all = opts.allNamespaces;
    const source = await openSource(ctx, opts);
    const namespace = opts.namespace ?? source.defaultNamespace;
    // Offline, every namespace of the files: a host in another namespace is not "missing".
    const inv = await source.inventory(all || !source.live ? undefined : namespace);
    const extra = source.analysisObjects ? await source.analysisObjects(all ? undefined : namespace) : undefined;
    for (const notice of extra?.notices ?? []) ctx.note(`note: ${notice}`);
    const result = await analyzeChange({
      snapshot: snapshotOf(extra ? { ...inv, ...extra } : inv, !source.live),
      proposed: [],
      namespace,
      allNamespaces: all,
      istioctl: await analysisRunner(ctx, source, opts),
    });
    const findings = service
      ? result.findings.filter((f) =>
          inv.virtualServices
            .concat(inv.destinationRules)
            .some((o) => f.origin === `${o.kind} ${o.metadata.namespace}/${o.metadata.name}` && refersTo(o, service, namespace)),
        )
      : result.findings;
    if (result.notice && source.live) ctx.note(`note: ${result.notice}`);
    await printData(ctx, findings, () => renderFindings(findings, { color: ctx.color }));
    return findings.some((f) => f.level === 'Error') ? ExitCode.failed : ExitCode.ok;
  },
};

const gatewayApi = (o: { apiVersion?: string }): boolean => !o.apiVersion || o.apiVersion.startsWith('gateway.networking.k8s.io/');

function snapshotOf(inv: Inventory, offline: boolean): ClusterSnapshot {
  return {
    virtualServices: inv.virtualServices,
    destinationRules: inv.destinationRules,
    services: inv.services,
    pods: inv.pods,
    ...(inv.gateways || offline ? { gateways: (inv.gateways ?? []).filter(istioGateway) } : {}),
    ...(inv.serviceEntries || offline ? { serviceEntries: inv.serviceEntries ?? [] } : {}),
    httpRoutes: (inv.httpRoutes ?? []).filter(gatewayApi),
    ...(inv.nodes ? { nodes: inv.nodes } : {}),
    ...(offline ? { offline, deployments: inv.deployments } : {}),
  };
}

/** Does a VirtualService or DestinationRule name `service`: as a host, or as a destination (by host, not by substring)? */
const refersTo = (o: VirtualService | DestinationRule, service: string, namespace: string): boolean =>
  namedHosts(o).some((h) => hostRefersTo(h, o.metadata.namespace, service, namespace));
