// rollback: restore the routes we owned at an earlier revision (the previous one by default).
// Users' routes stay as they are now; subsets the old routes need are restored first.
import { NotFoundError, PreconditionError } from '../errors.js';
import { finish } from './finish.js';
import { restoreBaselines, scaleToWeights } from './hpa.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PRIMARY_ROUTE, isOwnedRoute } from './names.js';
import type { Plan } from './plan.js';
import { adoptableIndex, httpRoutes, replaceOwnedRoutes } from './routes.js';
import { dropSubsets, usedSubsets, withSubsets, type Target } from './target.js';
import type { HttpRoute } from './types.js';
import { routeWeights } from './view.js';

export interface RollbackRequest {
  toRevision?: number;
  user: string;
  at: string;
}

export function planRollback(t: Target, req: RollbackRequest): Plan {
  const name = `${t.ref.namespace}/${t.ref.name}`;
  const history = t.history;
  const latest = history.at(-1);
  if (!latest || (history.length < 2 && req.toRevision === undefined)) {
    throw new PreconditionError(`${name} has no earlier routing revision to roll back to`, 'see "kubectl mesh history" for what is recorded');
  }
  const target = req.toRevision === undefined ? history.at(-2)! : history.find((r) => r.revision === req.toRevision);
  if (!target) {
    throw new NotFoundError(`revision ${req.toRevision} of ${name} is not in its history`, `kept revisions: ${history.map((r) => r.revision).join(', ')}`);
  }
  if (target === latest) throw new PreconditionError(`${name} is already at revision ${target.revision}`, 'pass an earlier --to-revision');

  const ours = (o: typeof t.vs) => o?.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
  const foreignLeft = httpRoutes(t.vs).some((r) => !isOwnedRoute(r));
  // Subsets that our writes after the target revision added: they go again once nothing uses them.
  const addedSince = new Set(history.filter((r) => r.revision > target.revision).flatMap((r) => r.addedSubsets ?? []));
  const unused = (routes: HttpRoute[]) => new Set([...addedSince].filter((s) =>
    !usedSubsets(t, routes).has(s) && !target.subsets.some((k) => k.name === s)));
  if (target.absent?.virtualService && ours(t.vs) && !foreignLeft) {
    // Back to before kubectl-mesh: the objects we created go away (routes first, then subsets).
    return finish(t, {
      summary: `${t.ref.name}: back to revision ${target.revision} (before kubectl-mesh): routing objects removed`,
      routes: [],
      dr: t.dr && dropSubsets(t.dr, unused([])),
      entry: { at: req.at, user: req.user, change: '', roles: {} },
      hpas: restoreBaselines(t.workload.hpas),
      receiving: [],
      deleteVirtualService: true,
      deleteDestinationRule: !!target.absent.destinationRule && ours(t.dr),
    });
  }
  // Going forward to a revision with our primary route while the user's catch-all is back (after a
  // rollback to the baseline): that route is the one the primary took over, so it makes way again.
  const adopt = target.routes.some((r) => r.name === PRIMARY_ROUTE) ? adoptableIndex(t.vs, t.ref) : -1;
  const current = httpRoutes(t.vs).map((r, i) => (i === adopt ? { name: PRIMARY_ROUTE } : r));
  const routes = replaceOwnedRoutes(current, target.routes);
  const weights = routeWeights(target.routes.find((r) => r.name === PRIMARY_ROUTE));
  const restored = withSubsets(t, target.subsets.map((s) => s.name), target.subsets);
  // One DestinationRule write cannot both restore subsets (before the routes) and remove some (after them).
  const drop = restored === t.dr ? unused(routes) : new Set<string>();
  const dr = restored && drop.size ? dropSubsets(restored, drop) : restored;
  const deleteDr = !!target.absent?.destinationRule && ours(t.dr) && !((dr?.spec?.subsets as unknown[] | undefined)?.length);
  return finish(t, {
    summary: `${t.ref.name}: rolled back to revision ${target.revision} (${target.change})`,
    routes,
    dr,
    entry: { at: req.at, user: req.user, change: `rollback to revision ${target.revision}`, roles: target.roles, scaled: target.scaled },
    hpas: target.scaled ? scaleToWeights(t.workload.hpas, t.versions, weights) : restoreBaselines(t.workload.hpas),
    // Rollback is the way out of trouble: it is never held back by the readiness gate.
    receiving: [],
    deleteDestinationRule: deleteDr,
  });
}
