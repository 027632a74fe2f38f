// `analyze [SERVICE]`: one inventory (and, live, the objects istioctl analyze needs), every check, the findings.
import { analyzeChange } from '../../analysis/run.js';
import type { ClusterSnapshot } from '../../analysis/types.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { hostRefersTo, namedHosts } from '../../model/hosts.js';
import type { DestinationRule, VirtualService } from '../../model/objects.js';
import type { Inventory } from '../../routing/workloads.js';
import { renderFindings } from '../../ui/findings.js';
import { printData } from '../../ui/output.js';
import { analysisRunner, openSource } from '../support/open-source.js';
import type { ScopeOptions } from '../support/options.js';
import type { Context } from '../../context.js';

export interface AnalyzeOptions {
  /** Only findings about this service. */
  service: string | undefined;
  scope: ScopeOptions;
}

const istioGateway = (o: { apiVersion?: string }): boolean => !o.apiVersion || o.apiVersion.startsWith('networking.istio.io/');

export async function runAnalyze(ctx: Context, { service, scope: opts }: AnalyzeOptions): Promise<ExitCodeValue> {
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
}

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
