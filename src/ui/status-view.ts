// Renders the status view model: a traffic bar per subset, header routes, pods, HPAs, warnings.
import type { ServiceStatus, SubsetStatus } from '../routing/status.js';
import { describeHeaders } from '../routing/view.js';
import { printable } from './printable.js';
import { renderTable } from './table.js';

const BAR = 20;
const paint = (color: boolean, code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);

export function bar(weight: number, color: boolean): string {
  const filled = Math.round((weight / 100) * BAR);
  return paint(color, '32', '█'.repeat(filled)) + paint(color, '2', '░'.repeat(BAR - filled));
}

const hpaText = (s: SubsetStatus): string => {
  if (!s.hpa) return '-';
  const current = s.hpa.current === undefined ? '' : ` (now ${s.hpa.current})`;
  return `${s.hpa.min}..${s.hpa.max}${current}${s.hpa.scaledToWeight ? ' scaled' : ''}`;
};

function role(st: ServiceStatus, subset: string): string {
  if (st.roles.stable === subset) return 'stable';
  if (st.roles.canary === subset) return 'canary';
  return '';
}

const fixed = (v: number | undefined, digits: number, unit = ''): string => (v === undefined ? '-' : `${Number(v.toFixed(digits))}${unit}`);

export function renderStatus(statuses: ServiceStatus[], color: boolean): string {
  if (!statuses.length) return 'No services with versions or routing found.\n';
  return (
    statuses
      .map((st) => {
        const head = [
          paint(color, '1', printable(`${st.namespace}/${st.service}`)),
          st.virtualService
            ? `vs/${printable(st.virtualService)}${st.revision ? ` rev ${st.revision}` : ''}`
            : 'no VirtualService (Kubernetes balances across all pods)',
          st.hosts.length ? `hosts ${printable(st.hosts.join(','))}` : '',
          st.gateways.length ? `gateways ${printable(st.gateways.join(','))}` : '',
        ]
          .filter(Boolean)
          .join('  ');
        const live = st.subsets.some((s) => s.metrics);
        const table = renderTable(
          ['SUBSET', 'ROLE', 'TRAFFIC', 'WEIGHT', 'READY', 'HPA', ...(live ? ['RPS', 'SUCCESS', 'P99'] : [])],
          st.subsets.map((s) => [
            printable(s.subset),
            role(st, s.subset),
            bar(s.weight, color),
            `${s.weight}%`,
            `${s.ready}/${s.total}`,
            hpaText(s),
            ...(live ? [fixed(s.metrics?.rps, 1), fixed(s.metrics?.successRate, 2, '%'), fixed(s.metrics?.p99, 0, 'ms')] : []),
          ]),
        )
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`);
        const rollout = st.rollout ? [`  rollout: ${printable(st.rollout.summary)}`] : [];
        const envs = st.environments.map((e) => `  env ${printable(`${e.name}: ${describeHeaders(e.headers)} → ${e.subset}`)}`);
        const whole = st.wholeService
          ? ['  requests without a header go to the whole service (no subsets yet): pods share them by count']
          : [];
        const other = st.otherRoutes
          ? [`  ${st.otherRoutes} other route${st.otherRoutes > 1 ? 's' : ''} (not managed by kubectl-mesh)`]
          : [];
        const warnings = st.warnings.map((w) => paint(color, '33', `  ! ${printable(w)}`));
        return [head, ...table, ...rollout, ...whole, ...envs, ...other, ...warnings].join('\n');
      })
      .join('\n\n') + '\n'
  );
}
