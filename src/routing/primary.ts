// The owned weighted catch-all route ("mesh-primary"): set its split, taking over the user's
// own catch-all to this service when there is one, so its retries/timeouts/fault stay in force.
import { PRIMARY_ROUTE } from '../model/names.js';
import { adoptableIndex, httpRoutes, upsertRoute, weightedDestinations } from './routes.js';
import type { Target } from './target.js';
import { ownedRoutes } from './history.js';
import type { HttpRoute, WeightedSubset } from './types.js';

export interface PrimaryResult {
  routes: HttpRoute[];
  /** Our routes before the change, plus the user's route we adopted (what a rollback restores). */
  baseline: HttpRoute[];
}

export function setPrimary(t: Target, weights: WeightedSubset[]): PrimaryResult {
  const routes = httpRoutes(t.vs);
  let next = routes;
  let baseline = ownedRoutes(t.vs);
  const adopt = adoptableIndex(t.vs, t.ref);
  if (adopt !== -1) {
    const { name: _theirName, ...rest } = routes[adopt];
    baseline = [...baseline, routes[adopt]];
    next = routes.map((r, i) => (i === adopt ? { name: PRIMARY_ROUTE, ...rest } : r));
  }
  const vsName = `${t.ref.namespace}/${t.vs?.metadata.name ?? t.ref.name}`;
  next = upsertRoute(
    next,
    PRIMARY_ROUTE,
    (existing) => ({
      ...(existing ?? { name: PRIMARY_ROUTE }),
      route: weightedDestinations(t.ref, weights, existing?.route),
    }),
    vsName,
  );
  return { routes: next, baseline };
}
