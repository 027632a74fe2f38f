// One line per change a plan makes, in the words a release owner uses.
import { sameValue } from '../model/equal.js';
import { ENV_ROUTE_PREFIX, PRIMARY_ROUTE, isOwnedRoute } from '../model/names.js';
import type { Plan, Write } from './plan.js';

type VirtualServiceWrite = Write & { kind: 'VirtualService' };
type DestinationRuleWrite = Write & { kind: 'DestinationRule' };
import { httpRoutes } from './routes.js';
import type { DestinationRule, HorizontalPodAutoscaler, HttpRoute, Subset, VirtualService } from './types.js';
import { describeHeaders, describeSplit, envRoutes, routeWeights } from './view.js';

const routeText = (r: HttpRoute, vs: VirtualService | undefined): string => {
  if (r.name === PRIMARY_ROUTE) return describeSplit(routeWeights(r));
  if (r.name?.startsWith(ENV_ROUTE_PREFIX)) {
    const env = envRoutes(vs).find((e) => `${ENV_ROUTE_PREFIX}${e.name}` === r.name);
    return env ? `${describeHeaders(env.headers)} → ${env.subset}` : '';
  }
  return '';
};

function vsLines(w: VirtualServiceWrite): string[] {
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
  const gw = (o?: VirtualService) => (o?.spec?.gateways ?? []).join(',');
  if (w.before && gw(w.before) !== gw(w.after)) lines.push(`  ~ gateways: ${gw(w.before) || 'mesh'} → ${gw(w.after) || 'mesh'}`);
  const hosts = (o?: VirtualService) => (o?.spec?.hosts ?? []).join(',');
  if (w.before && hosts(w.before) !== hosts(w.after)) lines.push(`  ~ hosts: ${hosts(w.before)} → ${hosts(w.after)}`);
  return lines;
}

const subsets = (o?: DestinationRule): Subset[] => o?.spec?.subsets ?? [];
const labelText = (s: Subset) =>
  Object.entries(s.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function drLines(w: DestinationRuleWrite): string[] {
  const before = subsets(w.before);
  const after = subsets(w.after);
  return [
    ...after.filter((s) => !before.some((b) => b.name === s.name)).map((s) => `  + subset ${s.name} (${labelText(s)})`),
    ...before.filter((s) => !after.some((a) => a.name === s.name)).map((s) => `  - subset ${s.name}`),
  ];
}

const hpaLine = (w: Write & { kind: 'HorizontalPodAutoscaler' }): string[] => {
  const r = (o?: HorizontalPodAutoscaler) => `${o?.spec?.minReplicas ?? 1}..${o?.spec?.maxReplicas}`;
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
