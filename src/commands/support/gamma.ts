// Refuses a write on a host a Gateway API HTTPRoute (GAMMA: parentRef of kind Service) also routes:
// Istio never merges it with the VirtualService, so callers would split between the two (MESH0006).
import { gammaServiceHosts } from '../../analysis/conflicts.js';
import { serviceFqdn } from '../../model/hosts.js';
import type { Context } from '../../context.js';
import { ConflictError, MeshError } from '../../errors.js';
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
  const read = await readRoutes(src, inv, namespace);
  const host = serviceFqdn(service, namespace);
  return { ...read, routes: read.routes.filter((r) => gammaServiceHosts(r).includes(host)) };
}

/** Live: one list call (cluster-wide, else the namespace, as RBAC allows). Offline: the files' HTTPRoutes. */
async function readRoutes(src: Source, inv: Inventory, namespace: string | undefined): Promise<{ routes: Obj[]; notice?: string }> {
  return src.live && src.httpRoutes ? src.httpRoutes(namespace) : { routes: inv.httpRoutes ?? [] };
}

/** For many services at once (env across services): one HTTPRoute read, one refusal per service it conflicts with. */
export async function gammaRefusals(
  ctx: Context,
  src: Source,
  inv: Inventory,
  plans: Plan[],
  namespace: string | undefined,
  force: boolean,
): Promise<{ service: string; error: MeshError }[]> {
  const read = await readRoutes(src, inv, namespace);
  if (read.notice) ctx.note(`note: ${read.notice}`);
  const refusals: { service: string; error: MeshError }[] = [];
  for (const plan of plans) {
    const host = serviceFqdn(plan.service, plan.namespace);
    const routes = read.routes.filter((r) => gammaServiceHosts(r).includes(host));
    try {
      if (routes.length) refuseOrWarn(ctx, plan, routes, force);
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      refusals.push({ service: `${plan.namespace}/${plan.service}`, error: err });
    }
  }
  return refusals;
}

export async function refuseGammaConflict(ctx: Context, src: Source, inv: Inventory, plan: Plan, force: boolean): Promise<void> {
  const { routes, notice } = await gammaRoutesFor(src, inv, plan.namespace, plan.service);
  if (notice) ctx.note(`note: ${notice}`);
  if (routes.length) refuseOrWarn(ctx, plan, routes, force);
}

function refuseOrWarn(ctx: Context, plan: Plan, routes: Obj[], force: boolean): void {
  const names = routes.map((r) => `HTTPRoute ${r.metadata.namespace}/${r.metadata.name}`).join(', ');
  const message = `${names} also routes ${plan.namespace}/${plan.service}; Istio never merges it with the VirtualService, so callers would split between the two (MESH0006)`;
  if (!force)
    throw new ConflictError(
      `${message}; nothing was written`,
      'keep one of them (delete the HTTPRoute or the VirtualService), or pass --force to write anyway',
    );
  ctx.note(`warning: ${message}`);
}
