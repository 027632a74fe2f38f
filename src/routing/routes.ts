// Surgical edits of a VirtualService's http route list: we touch only routes we own
// (named mesh-…), and only the keys we manage inside them.
import { matchesEverything } from '../model/matches.js';
import { ConflictError } from '../errors.js';
import { hostRefersTo } from '../model/hosts.js';
import { PRIMARY_ROUTE, isOwnedRoute } from '../model/names.js';
import type { HttpRoute, RouteDestination, VirtualService, WeightedSubset } from './types.js';

export const httpRoutes = (vs: VirtualService | undefined): HttpRoute[] => vs?.spec?.http ?? [];

/**
 * A route with no match, or with a match clause whose conditions every request meets (none, or
 * only `uri: {prefix: /}` and the like, which Istio also treats as catch-all), takes every request.
 */
export const isCatchAll = (r: HttpRoute): boolean => !r.match || r.match.length === 0 || r.match.some(matchesEverything);

export interface ServiceRef {
  name: string;
  namespace: string;
  host: string;
}

const goesOnlyTo = (r: HttpRoute, svc: ServiceRef, vsNamespace: string | undefined): boolean =>
  !!r.route?.length &&
  r.route.every((d) => hostRefersTo(d.destination?.host ?? '', vsNamespace, svc.name, svc.namespace)) &&
  r.redirect === undefined &&
  r.directResponse === undefined &&
  r.delegate === undefined;

/**
 * Index of a user's final catch-all route that sends everything to this service: we may take it
 * over as our primary route (keeping its retries, timeouts, fault, …). -1 when there is none.
 */
export function adoptableIndex(vs: VirtualService | undefined, svc: ServiceRef): number {
  const routes = httpRoutes(vs);
  if (routes.some((r) => r.name === PRIMARY_ROUTE)) return -1;
  const i = routes.findIndex(isCatchAll);
  if (i === -1 || isOwnedRoute(routes[i])) return -1;
  return goesOnlyTo(routes[i], svc, vs?.metadata.namespace) ? i : -1;
}

/**
 * Weighted destinations for our service; keeps extra fields of destinations that stay. A new
 * destination takes the port the route already uses (a multi-port service needs it).
 */
export function weightedDestinations(svc: ServiceRef, weights: WeightedSubset[], existing: RouteDestination[] = []): RouteDestination[] {
  const port = existing.find((d) => d.destination?.port !== undefined)?.destination?.port;
  // A user's destination to the whole service (no subset) lends its other fields (headers, port)
  // to each subset destination that replaces it.
  const wholeService = existing.find((d) => d.destination && !d.destination.subset);
  return weights.map(({ subset, weight }) => {
    const old = existing.find((d) => d.destination?.subset === subset) ?? wholeService;
    if (!old) return { destination: { host: svc.host, subset, ...(port !== undefined && { port }) }, weight };
    return { ...old, destination: { ...old.destination, host: old.destination?.host ?? svc.host, subset }, weight };
  });
}

const firstCatchAll = (routes: HttpRoute[]): number => routes.findIndex(isCatchAll);

/** Replaces the owned route `name` in place, or adds it where first-match-wins needs it. */
export function upsertRoute(routes: HttpRoute[], name: string, build: (existing?: HttpRoute) => HttpRoute, vsName: string): HttpRoute[] {
  const at = routes.findIndex((r) => r.name === name);
  if (at !== -1) return routes.map((r, i) => (i === at ? build(r) : r));
  const route = build(undefined);
  const catchAll = firstCatchAll(routes);
  if (name === PRIMARY_ROUTE) {
    if (catchAll !== -1) {
      const other = routes[catchAll];
      throw new ConflictError(
        `VirtualService ${vsName} already has a catch-all route${other.name ? ` "${other.name}"` : ''} (http[${catchAll}]) that does not send everything to this service, so a weighted route after it would never match`,
        'give that route a match, or remove it, then run the command again',
      );
    }
    return [...routes, route];
  }
  // Header routes go above the catch-all: first match wins.
  const primary = routes.findIndex((r) => r.name === PRIMARY_ROUTE);
  const before = primary !== -1 ? primary : catchAll;
  return before === -1 ? [...routes, route] : [...routes.slice(0, before), route, ...routes.slice(before)];
}

export const removeRoute = (routes: HttpRoute[], name: string): HttpRoute[] => routes.filter((r) => r.name !== name);

/**
 * Replaces our routes with `owned`: header routes where our first route was, the catch-all part
 * (our primary route, or the user's route it took over) where our primary route was. User routes
 * between them stay between them; with none of ours yet, both go before the first catch-all.
 */
export function replaceOwnedRoutes(routes: HttpRoute[], owned: HttpRoute[]): HttpRoute[] {
  const foreign = routes.filter((r) => !isOwnedRoute(r));
  const foreignBefore = (i: number) => routes.slice(0, i).filter((r) => !isOwnedRoute(r)).length;
  const catchAll = firstCatchAll(foreign);
  const fallback = catchAll === -1 ? foreign.length : catchAll;
  const primary = routes.findIndex((r) => r.name === PRIMARY_ROUTE);
  const first = routes.findIndex(isOwnedRoute);
  const primaryAt = primary === -1 ? fallback : foreignBefore(primary);
  const headersAt = Math.min(first === -1 ? fallback : foreignBefore(first), primaryAt);
  const last = owned.filter((r) => r.name === PRIMARY_ROUTE || !isOwnedRoute(r));
  const headers = owned.filter((r) => !last.includes(r));
  return [...foreign.slice(0, headersAt), ...headers, ...foreign.slice(headersAt, primaryAt), ...last, ...foreign.slice(primaryAt)];
}

/** The subsets (of this service) that any route sends traffic to. */
export function referencedSubsets(routes: HttpRoute[], svc: ServiceRef, vsNamespace: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const r of routes)
    for (const d of r.route ?? []) {
      if (d.destination?.subset && hostRefersTo(d.destination.host, vsNamespace, svc.name, svc.namespace)) out.add(d.destination.subset);
    }
  // Mirrors too: `mirror`, and `mirrors` (Istio 1.21+).
  for (const r of routes) {
    const mirrors = [r.mirror, ...((r.mirrors as { destination?: unknown }[] | undefined) ?? []).map((m) => m.destination)];
    for (const m of mirrors as ({ host?: string; subset?: string } | undefined)[]) {
      if (m?.subset && hostRefersTo(m.host ?? '', vsNamespace, svc.name, svc.namespace)) out.add(m.subset);
    }
  }
  return out;
}

/** Our routes placed after a user's catch-all, which takes every request first: they never match. */
export function shadowedOwnedRoutes(routes: HttpRoute[]): { owned: string[]; by: string } | undefined {
  const at = routes.findIndex((r) => isCatchAll(r) && !isOwnedRoute(r));
  const owned =
    at === -1
      ? []
      : routes
          .slice(at + 1)
          .filter(isOwnedRoute)
          .map((r) => r.name!);
  return owned.length ? { owned, by: `${routes[at].name ? `"${routes[at].name}" ` : ''}(http[${at}], not ours)` } : undefined;
}
