// canary WEIGHT: the owned catch-all sends WEIGHT% to the canary subset and the rest to stable.
import { UsageError } from '../errors.js';
import { finish } from './finish.js';
import { scaleToWeights } from './hpa.js';
import type { Plan } from './plan.js';
import { setPrimary } from './primary.js';
import { chooseRoles, withSubsets, type Gateway, type Target } from './target.js';
import type { WeightedSubset } from './types.js';
import { currentSplit, describeSplit } from './view.js';

export interface CanaryRequest {
  weight: number;
  stable?: string;
  canary?: string;
  scaleHpa?: boolean;
  gateway?: Gateway;
  user: string;
  at: string;
}

export function parseWeight(text: string | undefined): number {
  if (text === undefined) throw new UsageError('missing WEIGHT', 'usage: kubectl mesh canary WEIGHT [SERVICE], e.g. kubectl mesh canary 20 reviews');
  if (!/^\d{1,3}$/.test(text) || Number(text) > 100) {
    throw new UsageError(`weight "${text}" is not an integer from 0 to 100`, 'pass the canary\'s share in percent, e.g. 20');
  }
  return Number(text);
}

export function planCanary(t: Target, req: CanaryRequest): Plan {
  const roles = chooseRoles(t, { stable: req.stable, canary: req.canary });
  const weights: WeightedSubset[] = [
    { subset: roles.stable, weight: 100 - req.weight },
    { subset: roles.canary, weight: req.weight },
  ];
  const before = currentSplit(t.vs, t.ref);
  const dr = withSubsets(t, [roles.stable, roles.canary]);
  const { routes, baseline } = setPrimary(t, weights);
  const split = describeSplit(weights);
  return finish(t, {
    summary: `${t.ref.name}: ${split}`,
    routes,
    dr,
    baseline,
    entry: { at: req.at, user: req.user, change: `canary ${req.weight}%: ${split}`, roles, scaled: req.scaleHpa || undefined },
    hpas: req.scaleHpa ? scaleToWeights(t.workload.hpas, t.versions, weights) : [],
    receiving: weights.filter((w) => w.weight > (before.find((b) => b.subset === w.subset)?.weight ?? 0)).map((w) => w.subset),
    gateway: req.gateway,
  });
}
