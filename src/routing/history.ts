// Routing revisions, kept in one annotation on the VirtualService so they travel with it:
// any machine, any user can see and roll back. Each revision is a copy of the routes we own.
import { sameValue } from '../model/equal.js';
import { HISTORY_ANNOTATION, HISTORY_LIMIT, isOwnedRoute } from '../model/names.js';
import { httpRoutes } from './routes.js';
import type { HttpRoute, Roles, Subset, VirtualService } from './types.js';

export interface Revision {
  revision: number;
  /** ISO time of the change. */
  at: string;
  /** kubeconfig user (or --as) that made it. */
  user: string;
  /** One line: what changed. */
  change: string;
  /** Our routes after the change, in order (for the baseline: the user's route we then adopted, if any). */
  routes: HttpRoute[];
  /** DestinationRule subsets those routes use, so a rollback can restore pruned ones first. */
  subsets: Subset[];
  roles: Roles;
  /**
   * The user's catch-all route this write took over as our primary route, and the subsets it used:
   * a rollback to an earlier revision gives it back.
   */
  adopted?: { route: HttpRoute; subsets: Subset[] };
  /** Subsets this write added to the DestinationRule: a rollback past it removes them again when unused. */
  addedSubsets?: string[];
  /** This write created the DestinationRule: a rollback past it deletes it again once no subset is left. */
  createdDestinationRule?: boolean;
  /** This write bound a gateway: the hosts and gateways before it, which a rollback past it restores. */
  unbound?: Binding;
  /** HPAs were scaled to the weights of this revision. */
  scaled?: boolean;
  /** Baseline only: the objects did not exist before kubectl-mesh; rolling back to it deletes them. */
  absent?: { virtualService?: boolean; destinationRule?: boolean };
  /** Baseline only: hosts and gateways before kubectl-mesh, for a rollback to it once the revision that bound a gateway was trimmed. */
  binding?: Binding;
}

/** Where a VirtualService applies: its hosts, and its gateways (none means the mesh). */
export interface Binding {
  hosts: string[];
  gateways?: string[];
}

/** The history annotation parsed: entries of the right shape, and what was wrong with the rest. */
export function parseHistory(vs: VirtualService | undefined): { revisions: Revision[]; problem?: string } {
  const raw = vs?.metadata.annotations?.[HISTORY_ANNOTATION];
  if (!raw) return { revisions: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) return { revisions: [], problem: `annotation ${HISTORY_ANNOTATION} is not a JSON list; it is ignored` };
  const revisions: Revision[] = [];
  for (const entry of parsed) {
    // Numbers only go up: a repeated or older number is as wrong as a missing field.
    if (isRevision(entry) && entry.revision > (revisions.at(-1)?.revision ?? 0)) revisions.push(entry);
  }
  const bad = parsed.length - revisions.length;
  return bad
    ? { revisions, problem: `${bad} of ${parsed.length} entries of annotation ${HISTORY_ANNOTATION} have the wrong shape and are skipped` }
    : { revisions };
}

/**
 * Only well-formed revisions: a hand-edited, broken annotation must not block releases or status;
 * the next write keeps the good entries and drops the rest.
 */
export const readHistory = (vs: VirtualService | undefined): Revision[] => parseHistory(vs).revisions;

/** "VirtualService shop/reviews: 2 of 5 entries … are skipped", or undefined when the history is sound. */
export function historyWarning(vs: VirtualService | undefined): string | undefined {
  const { problem } = parseHistory(vs);
  return problem && `VirtualService ${vs!.metadata.namespace}/${vs!.metadata.name}: ${problem} (the next change drops them)`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isRouteList = (v: unknown): boolean =>
  Array.isArray(v) &&
  v.every(
    (r) =>
      isRecord(r) &&
      (r.name === undefined || typeof r.name === 'string') &&
      (r.route === undefined || (Array.isArray(r.route) && r.route.every((d) => isRecord(d) && isRecord(d.destination)))),
  );
const isSubsetList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => isRecord(x) && typeof x.name === 'string');
const isBinding = (v: unknown): boolean => isRecord(v) && isStringList(v.hosts) && (v.gateways === undefined || isStringList(v.gateways));
const optionalIs = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);

function isRevision(r: unknown): r is Revision {
  return (
    isRecord(r) &&
    Number.isSafeInteger(r.revision) &&
    (r.revision as number) > 0 &&
    typeof r.at === 'string' &&
    typeof r.user === 'string' &&
    typeof r.change === 'string' &&
    isRouteList(r.routes) &&
    isSubsetList(r.subsets) &&
    isRecord(r.roles) &&
    optionalIs(r.roles.stable, (x) => typeof x === 'string') &&
    optionalIs(r.roles.canary, (x) => typeof x === 'string') &&
    optionalIs(r.adopted, (a) => isRecord(a) && isRouteList([a.route]) && isSubsetList(a.subsets)) &&
    optionalIs(r.addedSubsets, isStringList) &&
    optionalIs(r.unbound, isBinding) &&
    optionalIs(r.binding, isBinding) &&
    optionalIs(r.absent, isRecord) &&
    optionalIs(r.createdDestinationRule, (x) => typeof x === 'boolean') &&
    optionalIs(r.scaled, (x) => typeof x === 'boolean')
  );
}

export const latestRevision = (vs: VirtualService | undefined): Revision | undefined => readHistory(vs).at(-1);

export const ownedRoutes = (vs: VirtualService | undefined): HttpRoute[] => httpRoutes(vs).filter(isOwnedRoute);

/**
 * Appends revisions (numbered after the last), keeping HISTORY_LIMIT: the baseline ("before
 * kubectl-mesh", the only way back to no routing objects) and the newest after it. `keepFrom` (an
 * in-progress rollout's baseline) is never dropped, nor anything after it: a rollback to a revision
 * also reads the later ones (subsets they added, the DestinationRule one created, a route adopted).
 */
export function appendRevisions(history: Revision[], revisions: Omit<Revision, 'revision'>[], keepFrom?: number): Revision[] {
  let next = (history.at(-1)?.revision ?? 0) + 1;
  const added = revisions.map((r) => ({ revision: next++, ...r }));
  const all = [...history, ...added];
  if (all.length <= HISTORY_LIMIT) return all;
  const [first, ...rest] = all;
  const newest = first.absent ? rest.slice(-(HISTORY_LIMIT - 1)) : all.slice(-HISTORY_LIMIT);
  const oldest = Math.min(newest[0].revision, keepFrom ?? Infinity);
  return all.filter((r) => r.revision >= oldest || (r === first && !!first.absent));
}

export function withHistory(vs: VirtualService, history: Revision[]): VirtualService {
  return {
    ...vs,
    metadata: { ...vs.metadata, annotations: { ...vs.metadata.annotations, [HISTORY_ANNOTATION]: JSON.stringify(history) } },
  };
}

/** Our routes differ from what our last revision wrote: someone edited them by hand. */
export function hasDrifted(vs: VirtualService | undefined): boolean {
  const last = latestRevision(vs);
  if (!last) return false;
  return !sameValue(ownedRoutes(vs), last.routes.filter(isOwnedRoute));
}
