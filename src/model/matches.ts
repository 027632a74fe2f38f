// Does one HTTPMatchRequest cover another? Used for IST0130/IST0131, and by routing for catch-all routes.
//
// Istio's own analyzer only compares match clauses for identical JSON (plus a narrow URI-prefix
// overlap rule). We go further, conservatively: `covers(a, b)` is true only when every request that
// `b` matches is certainly also matched by `a`. Anything we cannot decide counts as "not covered",
// so the check can miss an overlap but never invents one.

import { canonical } from './equal.js';

type StringMatch = { exact?: string; prefix?: string; regex?: string };
type Dict = Record<string, unknown>;

const KNOWN_FIELDS = new Set([
  'name',
  'statPrefix',
  'uri',
  'scheme',
  'method',
  'authority',
  'headers',
  'queryParams',
  'withoutHeaders',
  'port',
  'sourceLabels',
  'gateways',
  'sourceNamespace',
  'ignoreUriCase',
]);

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Is a string condition vacuous (matches every value)? `uri` also treats prefix "/" as vacuous. */
function vacuous(m: StringMatch, isUri: boolean): boolean {
  if (!isDict(m)) return false;
  const keys = Object.keys(m).filter((k) => m[k as keyof StringMatch] !== undefined);
  if (keys.length === 0) return true; // {} : any value
  if (keys.length !== 1) return false;
  if (m.prefix !== undefined) return m.prefix === '' || (isUri && m.prefix === '/');
  if (m.regex !== undefined) return m.regex === '.*' || (isUri && m.regex === '/.*');
  return false;
}

function fullMatch(regex: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${regex})$`, 'u').test(value);
  } catch {
    return false; // RE2 syntax JS does not know: undecidable, so "no"
  }
}

/** Does every value `b` accepts satisfy `a`? */
function implies(b: StringMatch, a: StringMatch, foldCase: boolean): boolean {
  if (!isDict(a) || !isDict(b)) return false;
  const f = (s: string | undefined): string | undefined => (foldCase && s !== undefined ? s.toLowerCase() : s);
  const bFixed = f(b.exact);
  if (a.exact !== undefined) return bFixed !== undefined && bFixed === f(a.exact);
  if (a.prefix !== undefined) {
    const p = f(a.prefix)!;
    const bPrefix = f(b.prefix);
    return (bFixed !== undefined && bFixed.startsWith(p)) || (bPrefix !== undefined && bPrefix.startsWith(p));
  }
  if (a.regex !== undefined) {
    if (b.regex !== undefined) return b.regex === a.regex;
    if (b.exact !== undefined) return fullMatch(a.regex, b.exact);
    return false;
  }
  return canonical(a) === canonical(b); // a match type we do not model: only the same one
}

function stringCovers(a: unknown, b: unknown, isUri = false, aFold = false, bFold = false): boolean {
  if (a === undefined) return true;
  if (vacuous(a as StringMatch, isUri)) return true;
  if (b === undefined) return false;
  // b case-insensitive but a not: b accepts case variants a rejects.
  if (bFold && !aFold) return false;
  return implies(b as StringMatch, a as StringMatch, aFold);
}

function mapCovers(a: unknown, b: unknown, foldKeys: boolean): boolean {
  if (a === undefined) return true;
  if (!isDict(a)) return false;
  const norm = (d: Dict): Map<string, unknown> => new Map(Object.entries(d).map(([k, v]) => [foldKeys ? k.toLowerCase() : k, v]));
  const am = norm(a);
  if (am.size === 0) return true;
  if (!isDict(b)) return false;
  const bm = norm(b);
  for (const [k, av] of am) {
    if (!bm.has(k)) return false;
    if (!stringCovers(av, bm.get(k))) return false;
  }
  return true;
}

/** `a` requires these headers absent/not matching: `b` must require at least the same. */
function withoutCovers(a: unknown, b: unknown): boolean {
  if (a === undefined) return true;
  if (!isDict(a)) return false;
  if (Object.keys(a).length === 0) return true;
  if (!isDict(b)) return false;
  const bl = new Map(Object.entries(b).map(([k, v]) => [k.toLowerCase(), canonical(v)]));
  return Object.entries(a).every(([k, v]) => bl.get(k.toLowerCase()) === canonical(v));
}

/** True when every request matched by `b` is also matched by `a`. */
export function covers(a: unknown, b: unknown): boolean {
  if (!isDict(a)) return false;
  const bb: Dict = isDict(b) ? b : {};
  for (const key of Object.keys(a)) {
    if (a[key] === undefined || KNOWN_FIELDS.has(key)) continue;
    if (canonical(a[key]) !== canonical(bb[key])) return false; // a field we do not model
  }
  const aFold = a.ignoreUriCase === true;
  const bFold = bb.ignoreUriCase === true;
  if (!stringCovers(a.uri, bb.uri, true, aFold, bFold)) return false;
  for (const k of ['scheme', 'method', 'authority'] as const) {
    if (!stringCovers(a[k], bb[k])) return false;
  }
  if (!mapCovers(a.headers, bb.headers, true)) return false;
  if (!mapCovers(a.queryParams, bb.queryParams, false)) return false;
  if (!withoutCovers(a.withoutHeaders, bb.withoutHeaders)) return false;
  if (a.port !== undefined && a.port !== bb.port) return false;
  if (a.sourceNamespace !== undefined && a.sourceNamespace !== bb.sourceNamespace) return false;
  if (isDict(a.sourceLabels)) {
    const bl = isDict(bb.sourceLabels) ? bb.sourceLabels : {};
    if (!Object.entries(a.sourceLabels).every(([k, v]) => bl[k] === v)) return false;
  }
  if (Array.isArray(a.gateways) && a.gateways.length > 0) {
    if (!Array.isArray(bb.gateways) || bb.gateways.length === 0) return false;
    if (!bb.gateways.every((g) => (a.gateways as unknown[]).includes(g))) return false;
  }
  return true;
}

/** A match clause with no effective condition: it matches every request. */
export const matchesEverything = (m: unknown): boolean => covers(m, {});

/** Same conditions (ignoring `name`/`statPrefix`): Istio's "duplicate" rather than "overlapping". */
export function sameConditions(a: unknown, b: unknown): boolean {
  const strip = (m: unknown): unknown => {
    if (!isDict(m)) return m;
    const { name: _n, statPrefix: _s, ...rest } = m;
    return rest;
  };
  return canonical(strip(a)) === canonical(strip(b));
}
