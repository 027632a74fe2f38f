// Refuses a write on a host a Gateway API HTTPRoute (GAMMA: parentRef of kind Service) also routes:
// Istio never merges it with the VirtualService, so callers would split between the two (MESH0006).
import { gammaServiceHosts } from '../../analysis/conflicts.js';
import { serviceFqdn } from '../../model/hosts.js';
import type { Context } from '../../context.js';
import { ConflictError } from '../../errors.js';
import type { Plan } from '../../routing/plan.js';
import type { Obj } from '../../routing/types.js';
import type { Inventory } from '../../routing/workloads.js';
import type { Source } from '../../source/source.js';

/** HTTPRoutes (any namespace) attached to the Service `plan` routes. Offline: those in the files. */
export async function gammaRoutesFor(
  src: Source,
  inv: Inventory,
  namespace: string,
  service: string,
): Promise<{ routes: Obj[]; notice?: string }> {
  const read = src.live && src.httpRoutes ? await src.httpRoutes(namespace) : { routes: inv.httpRoutes ?? [] };
  const host = serviceFqdn(service, namespace);
  return { ...read, routes: read.routes.filter((r) => gammaServiceHosts(r).includes(host)) };
}

export async function refuseGammaConflict(ctx: Context, src: Source, inv: Inventory, plan: Plan, force: boolean): Promise<void> {
  const { routes, notice } = await gammaRoutesFor(src, inv, plan.namespace, plan.service);
  if (notice) ctx.note(`note: ${notice}`);
  if (!routes.length) return;
  const names = routes.map((r) => `HTTPRoute ${r.metadata.namespace}/${r.metadata.name}`).join(', ');
  const message = `${names} also routes ${plan.namespace}/${plan.service}; Istio never merges it with the VirtualService, so callers would split between the two (MESH0006)`;
  if (!force)
    throw new ConflictError(
      `${message}; nothing was written`,
      'keep one of them (delete the HTTPRoute or the VirtualService), or pass --force to write anyway',
    );
  ctx.note(`warning: ${message}`);
}
