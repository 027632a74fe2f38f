// Read-only verbs: the routing targets of one service, a namespace, or every namespace,
// from one inventory (a fixed number of list calls).
import type { Context } from '../../context.js';
import { MeshError } from '../../errors.js';
import { printable } from '../../ui/printable.js';
import { findVirtualService } from '../../routing/discover.js';
import { resolveTarget, type Target } from '../../routing/target.js';
import { findService, workloadOf, type Inventory } from '../../routing/workloads.js';
import type { Source } from '../../source/source.js';
import { openSource } from './open-source.js';
import type { ScopeOptions } from './options.js';

export interface Scope {
  source: Source;
  namespace: string | undefined;
  inventory: Inventory;
}

export async function readTargets(
  ctx: Context,
  service: string | undefined,
  opts: ScopeOptions,
): Promise<{ targets: Target[]; scope: Scope }> {
  const source = await openSource(ctx, opts);
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? source.defaultNamespace);
  const { versionLabel } = opts;
  const inv = await source.inventory(namespace, service);
  const services =
    service !== undefined
      ? [findService(inv, namespace ?? source.defaultNamespace, service)]
      : inv.services.filter((svc) => {
          // Only services with something to release: a VirtualService, or Deployments with a version label.
          const w = workloadOf(inv, svc);
          return w.deployments.some((d) => d.spec?.template?.metadata?.labels?.[versionLabel]) || safeFindVs(svc, w.virtualServices);
        });
  // Listing many services, one that cannot be read (two VirtualServices claim it …) is skipped with a
  // warning naming it; the others are still shown.
  const targets = services.flatMap((svc) => {
    if (service !== undefined) return [resolveTarget(workloadOf(inv, svc), versionLabel)];
    try {
      return [resolveTarget(workloadOf(inv, svc), versionLabel)];
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      ctx.note(`warning: skipped ${printable(`${svc.metadata.namespace}/${svc.metadata.name}`)}: ${printable(err.message)}`);
      return [];
    }
  });
  return { targets, scope: { source, namespace, inventory: inv } };
}

const safeFindVs = (svc: Parameters<typeof findVirtualService>[0], vss: Parameters<typeof findVirtualService>[1]): boolean => {
  try {
    return !!findVirtualService(svc, vss);
  } catch {
    return true;
  }
};
