// One line per change a plan makes, in the words a release owner uses.
import { sameValue } from './equal.js';
import { ENV_ROUTE_PREFIX, PRIMARY_ROUTE, isOwnedRoute } from './names.js';
import type { Plan, Write } from './plan.js';
import { httpRoutes } from './routes.js';
import type { HttpRoute, Obj, Subset } from './types.js';
import { describeHeaders, describeSplit, envRoutes, routeWeights } from './view.js';

const routeText = (r: HttpRoute, vs: Obj | undefined): string => {
  if (r.name === PRIMARY_ROUTE) return describeSplit(routeWeights(r));
  if (r.name?.startsWith(ENV_ROUTE_PREFIX)) {
    const env = envRoutes(vs).find((e) => `${ENV_ROUTE_PREFIX}${e.name}` === r.name);
    return env ? `${describeHeaders(env.headers)} → ${env.subset}` : '';
  }
  return '';
};

function vsLines(w: Write): string[] {
  const before = httpRoutes(w.before).filter(isOwnedRoute);
  const after = httpRoutes(w.after).filter(isOwnedRoute);
  const lines: string[] = [];
  for (const r of after) {
    const old = before.find((b) => b.name === r.name);
    const now = routeText(r, w.after);
    if (!old) {
      const adopted = w.before && httpRoutes(w.before).length === httpRoutes(w.after).length && r.name === PRIMARY_ROUTE;
      lines.push(adopted ? `  ~ ${r.name}: ${now} (took over your catch-all route; its other fields are kept)` : `  + ${r.name}: ${now}`);
    } else if (!sameValue(old, r)) lines.push(`  ~ ${r.name}: ${routeText(old, w.before)} → ${now}`);
  }
  for (const b of before) if (!after.some((a) => a.name === b.name)) lines.push(`  - ${b.name}: ${routeText(b, w.before)}`);
  const gw = (o?: Obj) => ((o?.spec?.gateways as string[] | undefined) ?? []).join(',');
  if (w.before && gw(w.before) !== gw(w.after)) lines.push(`  ~ gateways: ${gw(w.before) || 'mesh'} → ${gw(w.after) || 'mesh'}`);
  const hosts = (o?: Obj) => ((o?.spec?.hosts as string[] | undefined) ?? []).join(',');
  if (w.before && hosts(w.before) !== hosts(w.after)) lines.push(`  ~ hosts: ${hosts(w.before)} → ${hosts(w.after)}`);
  return lines;
}

const subsets = (o?: Obj): Subset[] => (o?.spec?.subsets as Subset[] | undefined) ?? [];
const labelText = (s: Subset) => Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');

function drLines(w: Write): string[] {
  const before = subsets(w.before);
  const after = subsets(w.after);
  return [
    ...after.filter((s) => !before.some((b) => b.name === s.name)).map((s) => `  + subset ${s.name} (${labelText(s)})`),
    ...before.filter((s) => !after.some((a) => a.name === s.name)).map((s) => `  - subset ${s.name}`),
  ];
}

const hpaLine = (w: Write): string[] => {
  const r = (o?: Obj) => `${o?.spec?.minReplicas ?? 1}..${o?.spec?.maxReplicas}`;
  return r(w.before) === r(w.after) ? [] : [`  ~ replicas ${r(w.before)} → ${r(w.after)}`];
};

export function describeWrite(w: Write): string[] {
  const obj = (w.after ?? w.before)!;
  const head = `${w.action} ${w.kind} ${obj.metadata.namespace}/${obj.metadata.name}`;
  if (w.action === 'delete') return [head];
  const body = w.kind === 'VirtualService' ? vsLines(w) : w.kind === 'DestinationRule' ? drLines(w) : hpaLine(w);
  return [head, ...body];
}

export const describePlan = (plan: Plan): string[] => plan.writes.flatMap(describeWrite);
