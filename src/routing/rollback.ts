// rollback: restore the routes we owned at an earlier revision (the previous one by default).
// Users' routes stay as they are now; subsets the old routes need are restored first.
import { NotFoundError, PreconditionError } from '../errors.js';
import { findVersions } from './discover.js';
import { finish } from './finish.js';
import { ownedRoutes } from './history.js';
import { restoreBaselines, scaleToWeights } from './hpa.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PRIMARY_ROUTE, isOwnedRoute } from '../model/names.js';
import type { Plan } from './plan.js';
import { adoptableIndex, httpRoutes, replaceOwnedRoutes } from './routes.js';
import { dropSubsets, usedSubsets, withSubsets, type Target } from './target.js';
import type { HttpRoute, Subset } from './types.js';
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
    throw new PreconditionError(
      `${name} has no earlier routing revision to roll back to`,
      'see "kubectl mesh history" for what is recorded',
    );
  }
  const target = req.toRevision === undefined ? history.at(-2)! : history.find((r) => r.revision === req.toRevision);
  if (!target) {
    throw new NotFoundError(
      `revision ${req.toRevision} of ${name} is not in its history`,
      `kept revisions: ${history.map((r) => r.revision).join(', ')}`,
    );
  }
  if (target === latest) throw new PreconditionError(`${name} is already at revision ${target.revision}`, 'pass an earlier --to-revision');

  const ours = (o: typeof t.vs) => o?.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
  const foreignLeft = httpRoutes(t.vs).some((r) => !isOwnedRoute(r));
  // Subsets that our writes after the target revision added: they go again once nothing uses them.
  const addedSince = new Set(history.filter((r) => r.revision > target.revision).flatMap((r) => r.addedSubsets ?? []));
  const unused = (routes: HttpRoute[], needed: Subset[] = []) =>
    new Set([...addedSince].filter((s) => !usedSubsets(t, routes).has(s) && !needed.some((k) => k.name === s)));
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
  // The user's catch-all that our primary route took over: when it is back (after a rollback to the
  // baseline), a target with a primary route takes it over again and one without keeps it; when our
  // primary route holds it, a target from before the take-over gives it back.
  const hasPrimary = (rs: HttpRoute[]) => rs.some((r) => r.name === PRIMARY_ROUTE);
  const adoptable = adoptableIndex(t.vs, t.ref);
  const adoption = history.find((r) => r.revision > target.revision && r.adopted);
  const givenBack = adoption?.adopted?.route;
  let wanted = target.routes;
  if (adoptable !== -1) wanted = target.routes.filter(isOwnedRoute);
  else if (givenBack && !hasPrimary(target.routes) && target.routes.every(isOwnedRoute) && hasPrimary(httpRoutes(t.vs)))
    wanted = [...target.routes, givenBack];
  const takeOver = adoptable !== -1 && hasPrimary(wanted) ? adoptable : -1;
  const routes = replaceOwnedRoutes(
    httpRoutes(t.vs).map((r, i) => (i === takeOver ? { name: PRIMARY_ROUTE } : r)),
    wanted,
  );
  const weights = routeWeights(target.routes.find((r) => r.name === PRIMARY_ROUTE));
  const needed = [...target.subsets, ...(givenBack && wanted.includes(givenBack) ? adoption.adopted!.subsets : [])];
  const restored = withSubsets(
    t,
    needed.map((s) => s.name),
    needed,
  );
  // One DestinationRule write cannot both restore subsets (before the routes) and remove some (after them).
  const drop = restored === t.dr ? unused(routes, needed) : new Set<string>();
  const dr = restored && drop.size ? dropSubsets(restored, drop) : restored;
  const createdSince = !!target.absent?.destinationRule || history.some((r) => r.revision > target.revision && r.createdDestinationRule);
  const deleteDr = createdSince && ours(t.dr) && !(dr?.spec?.subsets as unknown[] | undefined)?.length;
  return finish(t, {
    summary: `${t.ref.name}: rolled back to revision ${target.revision} (${target.change})`,
    routes,
    dr,
    entry: { at: req.at, user: req.user, change: `rollback to revision ${target.revision}`, roles: target.roles, scaled: target.scaled },
    // Versions named as the restored DestinationRule names them (a pruned subset may be back).
    hpas: target.scaled
      ? scaleToWeights(t.workload.hpas, findVersions(t.workload.service, t.workload.deployments, t.versionLabel, dr), weights)
      : restoreBaselines(t.workload.hpas),
    // Rollback is the way out of trouble: it is never held back by the readiness gate.
    receiving: [],
    // A gateway bound since the target revision is unbound again (the hosts and gateways from before it).
    binding: history.find((r) => r.revision > target.revision && r.unbound)?.unbound ?? target.binding,
    baseline: takeOver !== -1 ? [...ownedRoutes(t.vs), httpRoutes(t.vs)[takeOver]] : undefined,
    deleteDestinationRule: deleteDr,
  });
}
