// The `env list` table: one row per environment and service, then per environment the services that
// fall back to the baseline. Calls between services are not visible without a data plane, so callees
// on the baseline that would drop the environment cannot be flagged; the footnote says so.
import type { Environment } from '../routing/environments.js';
import { renderTable } from './table.js';

/** kubectl-style age: 45s, 12m, 5h, 3d. */
export function age(from: string | undefined, now: Date): string {
  if (!from) return '-';
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function expiry(e: Environment, now: Date, color: boolean): string {
  if (!e.expires) return '-';
  if (!e.expired) return `in ${age(now.toISOString(), new Date(Date.parse(e.expires)))}`;
  const text = `expired ${age(e.expires, now)} ago`;
  return color ? `\u001b[31m${text}\u001b[0m` : text;
}

export function renderEnvironments(envs: Environment[], now: Date, color: boolean): string {
  const rows = envs.flatMap((e) =>
    e.services.map((s) => [
      e.name,
      `${s.namespace}/${s.service}`,
      s.headers,
      s.subset,
      s.ready === undefined ? '-' : `${s.ready}/${s.pods}`,
      age(e.createdAt, now),
      e.createdBy ?? '-',
      expiry(e, now, color),
    ]),
  );
  const table = renderTable(['ENVIRONMENT', 'SERVICE', 'HEADER', 'SUBSET', 'READY', 'AGE', 'CREATED BY', 'EXPIRES'], rows);
  const baseline = envs.map(
    (e) => `${e.name}: ${e.baseline.length ? `baseline for ${e.baseline.join(', ')}` : 'every service has a version for it'}`,
  );
  return `${table}\n${baseline.join('\n')}\n`;
}
