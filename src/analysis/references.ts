// IST0101: hosts, ports, host+subset pairs and gateways a VirtualService names that do not exist
// (Istio's DestinationHostAnalyzer, DestinationRuleAnalyzer, GatewayAnalyzer). Offline, what may
// live outside the files is MESH0005 (Info: not checked) instead.
import { CODES } from './codes.js';
import { finding } from './finding.js';
import { hostKey, nameOf, nsOf, originOf, resolveHost } from './hosts.js';
import type { HostRegistry } from './registry.js';
import type { ClusterSnapshot, Finding, Obj } from './types.js';

type Dict = Record<string, unknown>;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const dict = (v: unknown): Dict => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Dict) : {});
const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

export interface RouteDest {
  path: string;
  dest: Dict;
  weight: unknown;
  rule: Dict;
  ruleIndex: number;
  kind: 'http' | 'tcp' | 'tls' | 'mirror';
}

/** Route destinations (http, tcp, tls) and http mirrors; `path` is the Destination object's own path. */
export function destinationsOf(vs: Obj, withMirrors = false): RouteDest[] {
  const out: RouteDest[] = [];
  for (const kind of ['http', 'tcp', 'tls'] as const) {
    arr(vs.spec?.[kind]).forEach((r, i) => {
      const rule = dict(r);
      arr(rule.route).forEach((d, j) => {
        const rd = dict(d);
        out.push({
          path: `spec.${kind}[${i}].route[${j}].destination`,
          dest: dict(rd.destination),
          weight: rd.weight,
          rule,
          ruleIndex: i,
          kind,
        });
      });
      if (kind !== 'http' || !withMirrors) return;
      if (rule.mirror)
        out.push({ path: `spec.http[${i}].mirror`, dest: dict(rule.mirror), weight: undefined, rule, ruleIndex: i, kind: 'mirror' });
      arr(rule.mirrors).forEach((m, j) =>
        out.push({
          path: `spec.http[${i}].mirrors[${j}].destination`,
          dest: dict(dict(m).destination),
          weight: undefined,
          rule,
          ruleIndex: i,
          kind: 'mirror',
        }),
      );
    });
  }
  return out;
}

export interface ReferenceCtx {
  snapshot: ClusterSnapshot;
  registry: HostRegistry;
  namespaces: ReadonlySet<string>;
  /** hostKey → subset names, from every DestinationRule. */
  subsets: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Offline: could the object defining `host` (seen from `ns`) be outside the files? */
function outsideFiles(ctx: ReferenceCtx, host: string, ns: string): string | undefined {
  if (!ctx.snapshot.offline) return undefined;
  const ref = resolveHost(host, ns, ctx.namespaces);
  if (ref.kind === 'service') {
    return ctx.registry.serviceNamespaces.has(ref.namespace) ? undefined : `no Service of namespace ${ref.namespace} is in the files`;
  }
  return ctx.registry.hasServiceEntries ? undefined : 'no ServiceEntry is in the files';
}

export function referencedResources(ctx: ReferenceCtx, vs: Obj): Finding[] {
  const origin = originOf('VirtualService', vs);
  const ns = nsOf(vs);
  const exportTo = strings(vs.spec?.exportTo);
  const out: Finding[] = [];
  const unknown = (what: string, why: string, path: string): void => {
    out.push(finding(CODES.NotInFiles, origin, `Referenced ${what} not checked offline: ${why}.`, path));
  };
  for (const d of destinationsOf(vs, true)) {
    const host = typeof d.dest.host === 'string' ? d.dest.host : '';
    const what = d.kind === 'mirror' ? 'mirror host' : 'host';
    const entry = host === '' ? undefined : ctx.registry.lookup(host, ns, exportTo);
    // Without ServiceEntries in the snapshot, only Service hosts can be judged.
    if (!entry && host !== '' && !ctx.snapshot.serviceEntries && resolveHost(host, ns, ctx.namespaces).kind !== 'service') continue;
    const missing = entry ? undefined : outsideFiles(ctx, host, ns);
    if (!entry && host !== '' && missing) unknown(`${what} "${host}"`, missing, `${d.path}.host`);
    else if (!entry)
      out.push(finding(CODES.ReferencedResourceNotFound, origin, `Referenced ${what} not found: "${host}"`, `${d.path}.host`));
    else {
      const port = dict(d.dest.port).number;
      if (typeof port === 'number' && entry.ports.length > 0 && !entry.ports.includes(port)) {
        out.push(finding(CODES.ReferencedResourceNotFound, origin, `Referenced host:port not found: "${host}:${port}"`, `${d.path}.port`));
      }
    }
    const subset = d.dest.subset;
    if (typeof subset !== 'string' || subset === '') continue;
    const key = hostKey(resolveHost(host, ns, ctx.namespaces));
    const defined = ctx.subsets.get(key);
    if (defined?.has(subset)) continue;
    const label = d.kind === 'mirror' ? 'mirror+subset in destinationrule' : 'host+subset in destinationrule';
    if (!defined && ctx.snapshot.offline)
      unknown(`${label} "${host}+${subset}"`, 'no DestinationRule for that host is in the files', `${d.path}.subset`);
    else
      out.push(finding(CODES.ReferencedResourceNotFound, origin, `Referenced ${label} not found: "${host}+${subset}"`, `${d.path}.subset`));
  }

  const gateways = ctx.snapshot.gateways;
  arr(vs.spec?.gateways).forEach((g, i) => {
    if (typeof g !== 'string' || g === 'mesh') return;
    const full = g.includes('/') ? g : `${ns}/${g}`;
    if (gateways?.some((gw) => `${nsOf(gw)}/${nameOf(gw)}` === full)) return;
    if (!gateways || (ctx.snapshot.offline && gateways.length === 0)) {
      if (ctx.snapshot.offline) unknown(`gateway "${g}"`, 'no Gateway is in the files', `spec.gateways[${i}]`);
      return;
    }
    out.push(finding(CODES.ReferencedResourceNotFound, origin, `Referenced gateway not found: "${g}"`, `spec.gateways[${i}]`));
  });
  return out;
}
