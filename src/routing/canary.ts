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

/** A canary share in percent: 0 to 100, up to two decimals (0.5 is a half-percent canary). */
export function parseWeight(text: string | undefined, what = 'weight'): number {
  if (text === undefined)
    throw new UsageError('missing WEIGHT', 'usage: kubectl mesh canary WEIGHT [SERVICE], e.g. kubectl mesh canary 20 reviews');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text) || Number(text) > 100) {
    throw new UsageError(
      `${what} "${text}" is not a percentage from 0 to 100 with at most two decimals`,
      "pass the canary's share in percent, e.g. 20 or 0.5",
    );
  }
  return Number(text);
}

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/**
 * The integer route weights for a canary share: whole percents as stable/canary summing to 100; a
 * fractional share as the smallest integers with exactly that ratio (Istio's weights are relative:
 * 0.5% is 199/1, 12.5% is 7/1).
 */
export function integerWeights(percent: number): [stable: number, canary: number] {
  const canary = Math.round(percent * 100);
  if (canary % 100 === 0) return [100 - canary / 100, canary / 100];
  const stable = 10_000 - canary;
  const d = gcd(stable, canary);
  return [stable / d, canary / d];
}

export function planCanary(t: Target, req: CanaryRequest): Plan {
  const roles = chooseRoles(t, { stable: req.stable, canary: req.canary });
  // Shares in percent (what people, HPA scaling and the readiness gate reason with) …
  const weights: WeightedSubset[] = [
    { subset: roles.stable, weight: Math.round((100 - req.weight) * 100) / 100 },
    { subset: roles.canary, weight: req.weight },
  ];
  // … and the integers written into the route.
  const [stableWeight, canaryWeight] = integerWeights(req.weight);
  const before = currentSplit(t.vs, t.ref);
  const dr = withSubsets(t, [roles.stable, roles.canary]);
  const { routes, baseline } = setPrimary(t, [
    { subset: roles.stable, weight: stableWeight },
    { subset: roles.canary, weight: canaryWeight },
  ]);
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
