// promote: the candidate becomes stable. 100% to it; header routes that pointed at it are
// redundant and go; the old subset stays in the DestinationRule until --prune.
import { PreconditionError } from '../errors.js';
import { finish } from './finish.js';
import { restoreBaselines } from './hpa.js';
import { latestRevision } from './history.js';
import { envRouteName } from '../model/names.js';
import type { Plan } from './plan.js';
import { setPrimary } from './primary.js';
import { removeRoute } from './routes.js';
import { chooseRoles, withSubsets, withoutSubset, type Target } from './target.js';
import type { DestinationRule } from './types.js';
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
  // After a promote only a stable is recorded: there is no candidate, and promoting again must not
  // pick the old stable (traffic-based discovery would). It re-asserts the promotion, and --prune
  // can still remove the stable it replaced.
  const already = !req.canary && !!recorded?.stable && !recorded.canary;
  const replaced = [...t.history].reverse().find((r) => r.roles.canary === recorded?.stable && r.roles.stable)?.roles.stable;
  const roles: { stable?: string; canary: string } = already
    ? { stable: replaced, canary: recorded.stable! }
    : recorded?.stable && recorded.canary && !req.canary
      ? { stable: recorded.stable, canary: recorded.canary }
      : chooseRoles(t, { canary: req.canary });
  const winner = roles.canary;
  const primary = setPrimary(t, [{ subset: winner, weight: 100 }]);
  const { baseline } = primary;
  let { routes } = primary;
  const redundant = envRoutes(t.vs).filter((e) => e.subset === winner);
  for (const e of redundant) routes = removeRoute(routes, envRouteName(e.name));
  const kept = withSubsets(t, [winner]);
  const has = (o: DestinationRule | undefined, name?: string) => (o?.spec?.subsets ?? []).some((s) => s.name === name);
  const old = roles.stable;
  const prunable = !!req.prune && has(kept, old);
  // Make-before-break: a DestinationRule write that adds the winner cannot also remove the old stable.
  const trimmed = prunable && kept === t.dr ? withoutSubset(kept, old!, routes, t) : kept;
  const pruned = prunable && !has(trimmed, old);
  const dr = pruned ? trimmed : kept;
  const why = kept !== t.dr ? `the DestinationRule gains ${winner} first; run promote --prune again` : 'routes still send traffic to it';
  const notes = [
    ...(pruned ? [`pruned ${old}`] : []),
    ...(redundant.length ? [`removed env ${redundant.map((e) => e.name).join(', ')}`] : []),
    ...(prunable && !pruned ? [`kept subset ${old} (${why})`] : []),
    ...(req.prune && !old ? ['nothing pruned: the subset it replaced is no longer in the history'] : []),
  ];
  return finish(t, {
    summary: `${t.ref.name}: ${winner} ${already ? 'is already stable' : 'promoted to stable'} (${winner} 100%)${notes.map((n) => `; ${n}`).join('')}`,
    routes,
    dr,
    baseline,
    entry: {
      at: req.at,
      user: req.user,
      change: `promote ${winner}${pruned ? ` (pruned ${roles.stable})` : ''}`,
      roles: { stable: winner },
    },
    hpas: restoreBaselines(t.workload.hpas),
    receiving: [winner],
  });
}
