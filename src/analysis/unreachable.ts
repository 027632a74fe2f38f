// IST0130 (a rule is never used) and IST0131 (a match of a rule is never used), first match wins.
// Counted as Istio counts them (pkg/config/validation: analyzeUnreachable{HTTP,TCP,TLS}Rules): after a
// rule without matches, every later match is one IST0130; a match seen before is one IST0131, and a
// rule whose matches were all seen before gets IST0130 too. For http we also catch matches that an
// earlier match covers without being identical (matches.ts decides "covers" conservatively); within
// one rule, as in Istio, only identical matches and URI prefixes inside an earlier prefix count.
import { isOwnedRoute } from '../model/names.js';
import { CODES } from './codes.js';
import { finding } from './finding.js';
import { originOf } from './hosts.js';
import { canonical } from '../model/equal.js';
import { covers, matchesEverything, sameConditions } from '../model/matches.js';
import type { Finding, Obj } from './types.js';

type Dict = Record<string, unknown>;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const dict = (v: unknown): Dict => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Dict) : {});

const shadowed = (by: string): string =>
  ` The kubectl-mesh route is shadowed by rule ${by}, which it does not own: move that route below it, or give it a narrower match.`;

type Kind = 'http' | 'tcp' | 'tls';
/** Istio names http rules and matches by `name` when they have one, tcp/tls ones by index. */
const ruleLabel = (kind: Kind, rule: Dict, i: number): string =>
  kind === 'http' && typeof rule.name === 'string' && rule.name ? `"${rule.name}"` : `#${i}`;
const matchLabel = (kind: Kind, m: unknown, j: number): string => {
  const name = dict(m).name;
  return kind === 'http' && typeof name === 'string' && name ? `"${name}"` : `#${j}`;
};
const prefixOf = (m: unknown): string | undefined => {
  const p = dict(dict(m).uri).prefix;
  return typeof p === 'string' && p !== '' ? p : undefined;
};

interface Seen {
  rule: number;
  clause: unknown;
}

/** Does `earlier` make `later` unused? `sameRule`: both in one rule (only duplicates and nested URI prefixes count there). */
function coveredBy(kind: Kind, earlier: Seen, later: unknown, sameRule: boolean): 'same' | 'covered' | undefined {
  if (kind !== 'http') return canonical(earlier.clause) === canonical(later) ? 'same' : undefined;
  if (sameConditions(earlier.clause, later)) return 'same';
  if (sameRule) {
    const a = prefixOf(earlier.clause);
    const b = prefixOf(later);
    if (a === undefined || b === undefined || a === b) return undefined;
  }
  return covers(earlier.clause, later) ? 'covered' : undefined;
}

function rulesOf(vs: Obj, kind: Kind): Finding[] {
  const origin = originOf('VirtualService', vs);
  const rules = arr(vs.spec?.[kind]);
  const out: Finding[] = [];
  const seen: Seen[] = [];
  let catchAll = -1;
  const unused = (i: number, reason: string, path: string, by?: number): void => {
    const rule = dict(rules[i]);
    const ours = kind === 'http' && isOwnedRoute(rule) && by !== undefined && !isOwnedRoute(dict(rules[by]));
    out.push(
      finding(
        CODES.VirtualServiceUnreachableRule,
        origin,
        `VirtualService rule ${ruleLabel(kind, rule, i)} not used (${reason}).${ours ? shadowed(ruleLabel(kind, dict(rules[by]), by)) : ''}`,
        path,
      ),
    );
  };
  rules.forEach((r, i) => {
    if (r === null || r === undefined) return;
    const rule = dict(r);
    const matches = arr(rule.match);
    if (matches.length === 0) {
      if (catchAll >= 0) unused(i, 'only the last rule can have no matches', `spec.${kind}[${i}]`, catchAll);
      else catchAll = i;
      return;
    }
    let fromPrior = 0;
    let identical = 0;
    matches.forEach((m, j) => {
      if (catchAll >= 0) {
        unused(i, 'route without matches defined before', `spec.${kind}[${i}].match[${j}]`, catchAll);
        return;
      }
      let hit: { by: Seen; how: 'same' | 'covered' } | undefined;
      for (const s of seen) {
        const how = coveredBy(kind, s, m, s.rule === i);
        if (how) {
          hit = { by: s, how };
          break;
        }
      }
      if (!hit) {
        seen.push({ rule: i, clause: m });
        return;
      }
      fromPrior++;
      if (hit.how === 'same') identical++;
      out.push(
        finding(
          CODES.VirtualServiceIneffectiveMatch,
          origin,
          `VirtualService rule ${ruleLabel(kind, rule, i)} match ${matchLabel(kind, m, j)} is not used (duplicate/overlapping match in rule ${ruleLabel(kind, dict(rules[hit.by.rule]), hit.by.rule)}).`,
          `spec.${kind}[${i}].match[${j}]`,
        ),
      );
    });
    if (catchAll < 0 && fromPrior === matches.length) {
      const first = seen.find((s) => matches.some((m) => coveredBy(kind, s, m, false)))?.rule;
      unused(
        i,
        identical === matches.length ? 'all matches used by prior rules' : 'all matches covered by prior rules',
        `spec.${kind}[${i}]`,
        first,
      );
    }
    if (kind === 'http' && catchAll < 0 && seen.some((s) => s.rule === i && matchesEverything(s.clause))) catchAll = i;
  });
  return out;
}

export const unreachableRules = (vs: Obj): Finding[] => [...rulesOf(vs, 'http'), ...rulesOf(vs, 'tcp'), ...rulesOf(vs, 'tls')];
