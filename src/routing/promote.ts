// promote: the candidate becomes stable. 100% to it; header routes that pointed at it are
// redundant and go; the old subset stays in the DestinationRule until --prune.
import { PreconditionError } from '../errors.js';
import { finish } from './finish.js';
import { restoreBaselines } from './hpa.js';
import { latestRevision } from './history.js';
import { envRouteName } from './names.js';
import type { Plan } from './plan.js';
import { setPrimary } from './primary.js';
import { removeRoute } from './routes.js';
import { chooseRoles, withSubsets, withoutSubset, type Target } from './target.js';
import { envRoutes } from './view.js';

export interface PromoteRequest {
  canary?: string;
  prune?: boolean;
  user: string;
  at: string;
}

export function planPromote(t: Target, req: PromoteRequest): Plan {
  if (!t.vs) {
    throw new PreconditionError(
      `no VirtualService routes ${t.ref.namespace}/${t.ref.name} yet, so there is no candidate to promote`,
      'start a release with "kubectl mesh canary WEIGHT" or "kubectl mesh green"',
    );
  }
  const recorded = latestRevision(t.vs)?.roles;
  const roles = recorded?.stable && recorded.canary && !req.canary
    ? { stable: recorded.stable, canary: recorded.canary }
    : chooseRoles(t, { canary: req.canary });
  const winner = roles.canary;
  let { routes, baseline } = setPrimary(t, [{ subset: winner, weight: 100 }]);
  const redundant = envRoutes(t.vs).filter((e) => e.subset === winner);
  for (const e of redundant) routes = removeRoute(routes, envRouteName(e.name));
  let dr = withSubsets(t, [winner]);
  if (req.prune) dr = withoutSubset(dr, roles.stable, routes, t);
  return finish(t, {
    summary: `${t.ref.name}: ${winner} promoted to stable (${winner} 100%)${redundant.length ? `; removed env ${redundant.map((e) => e.name).join(', ')}` : ''}`,
    routes,
    dr,
    baseline,
    entry: { at: req.at, user: req.user, change: `promote ${winner}${req.prune ? ` (pruned ${roles.stable})` : ''}`, roles: { stable: winner } },
    hpas: restoreBaselines(t.workload.hpas),
    receiving: [winner],
  });
}
