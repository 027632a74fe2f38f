// Reads what our routes say: the weighted split and the header routes of named environments.
import { ENV_ROUTE_PREFIX, PRIMARY_ROUTE } from '../model/names.js';
import { adoptableIndex, httpRoutes, type ServiceRef } from './routes.js';
import type { EnvRoute, HeaderCondition, HttpRoute, VirtualService, WeightedSubset } from './types.js';

/**
 * Each subset's share of the route in percent (two decimals). Istio's weights are relative, so
 * 199/1 is 99.5% / 0.5%; weights that sum to 100 read as written.
 */
export const routeWeights = (r: HttpRoute | undefined): WeightedSubset[] => {
  const dests = r?.route ?? [];
  const raw = dests.map((d) => (typeof d.weight === 'number' ? d.weight : dests.length === 1 ? 100 : 0));
  const sum = raw.reduce((a, b) => a + b, 0);
  return dests.flatMap((d, i) => {
    const subset = d.destination?.subset;
    const w = raw[i];
    return subset ? [{ subset, weight: sum > 0 && sum !== 100 ? Math.round((w / sum) * 10_000) / 100 : w }] : [];
  });
};

export const primaryRoute = (vs: VirtualService | undefined): HttpRoute | undefined => httpRoutes(vs).find((r) => r.name === PRIMARY_ROUTE);

/** The split of ordinary traffic: our primary route, else the user's catch-all we would adopt. */
export function currentSplit(vs: VirtualService | undefined, svc: ServiceRef): WeightedSubset[] {
  const primary = primaryRoute(vs);
  if (primary) return routeWeights(primary);
  const i = adoptableIndex(vs, svc);
  return i === -1 ? [] : routeWeights(httpRoutes(vs)[i]);
}

const conditions = (r: HttpRoute): HeaderCondition[] =>
  Object.entries(r.match?.[0]?.headers ?? {}).map(([name, m]) => {
    const [type, value] = Object.entries(m)[0] as [HeaderCondition['type'], string];
    return { name, type, value };
  });

export function envRoutes(vs: VirtualService | undefined): EnvRoute[] {
  return httpRoutes(vs)
    .filter((r) => r.name?.startsWith(ENV_ROUTE_PREFIX))
    .map((r) => ({
      name: r.name!.slice(ENV_ROUTE_PREFIX.length),
      headers: conditions(r),
      subset: r.route?.[0]?.destination?.subset ?? '',
    }));
}

export const describeSplit = (w: WeightedSubset[]): string =>
  w.length ? w.map((x) => `${x.subset} ${x.weight}%`).join(' / ') : 'no weighted route';

export const describeHeaders = (h: HeaderCondition[]): string =>
  h.map((c) => (c.type === 'exact' ? `${c.name}=${c.value}` : `${c.name}~${c.type}:${c.value}`)).join(' & ');
