// `status`: reads the services in scope (and, when they answer, Prometheus and istiod), renders them; --watch repeats.
import { gammaServiceHosts } from '../../analysis/conflicts.js';
import type { Context } from '../../context.js';
import { ExitCode, UnreachableError, type ExitCodeValue } from '../../errors.js';
import type { PrometheusOptions } from '../../metrics/open.js';
import { workloadMetrics, type WorkloadMetrics } from '../../metrics/collect.js';
import { withLive } from '../../metrics/live-status.js';
import { serviceFqdn } from '../../model/hosts.js';
import type { Obj } from '../../routing/types.js';
import { serviceStatus, type ServiceStatus } from '../../routing/status.js';
import { printData } from '../../ui/output.js';
import { renderStatus } from '../../ui/status-view.js';
import type { ScopeOptions } from '../support/options.js';
import { readTargets } from '../support/read.js';
import { meshSync } from '../support/wait.js';

/** --no-metrics, else where Prometheus is. */
export type MetricsOptions = PrometheusOptions | false;

export interface StatusOptions {
  service: string | undefined;
  scope: ScopeOptions;
  metrics: MetricsOptions;
  /** --proxies: ask istiod how many proxies are in sync. */
  proxies: boolean;
  watch: boolean;
}

const WATCH_INTERVAL_MS = 2000;
/** Prometheus gets this long: without one, status must not get slower. */
const METRICS_TIMEOUT_MS = 1500;
const METRICS_WINDOW_MS = 60_000;

type Model = (ServiceStatus & { proxies?: { synced: number; total: number } })[];

async function snapshot(
  ctx: Context,
  service: string | undefined,
  opts: ScopeOptions,
  metrics: MetricsOptions,
  askIstiod: boolean,
): Promise<Model> {
  const [{ targets, scope }, figures, sync] = await Promise.all([
    readTargets(ctx, service, opts),
    liveMetrics(ctx, opts, metrics),
    askIstiod ? meshSync(ctx, opts) : undefined,
  ]);
  const gamma =
    scope.source.live && scope.source.httpRoutes
      ? await scope.source.httpRoutes(scope.namespace)
      : { routes: scope.inventory.httpRoutes ?? [] };
  if (gamma.notice) ctx.note(`note: ${gamma.notice}`);
  const now = ctx.now();
  return targets.map((t) => ({
    ...withLive(withHttpRoutes(serviceStatus(t), gamma.routes), t, figures, now),
    ...(sync ? { proxies: sync } : {}),
  }));
}

const syncLine = (model: Model): string => {
  const p = model[0]?.proxies;
  return p ? `mesh: synced ${p.synced}/${p.total} prox${p.total === 1 ? 'y' : 'ies'} (acknowledged istiod's last push)\n` : '';
};

/** Shows GAMMA HTTPRoutes on the service: they split its callers with the VirtualService (MESH0006). */
function withHttpRoutes(status: ServiceStatus, routes: readonly Obj[]): ServiceStatus {
  const host = serviceFqdn(status.service, status.namespace);
  const names = routes.filter((r) => gammaServiceHosts(r).includes(host)).map((r) => `${r.metadata.namespace}/${r.metadata.name}`);
  if (!names.length) return status;
  const also = status.virtualService
    ? `; Istio never merges it with VirtualService ${status.virtualService}: callers in its namespace follow the HTTPRoute, others whichever is older (MESH0006)`
    : '';
  return {
    ...status,
    httpRoutes: names,
    warnings: [...status.warnings, `HTTPRoute ${names.join(', ')} (Gateway API) routes this service${also}`],
  };
}

/** Requests/s, success rate and p99 per workload, from one query; undefined when Prometheus does not answer. */
async function liveMetrics(ctx: Context, opts: ScopeOptions, metrics: MetricsOptions): Promise<Map<string, WorkloadMetrics> | undefined> {
  if (!metrics || opts.files.length) return undefined;
  try {
    const { openPrometheus } = await import('../../metrics/open.js');
    const prom = openPrometheus(ctx, metrics);
    const namespaces = opts.allNamespaces ? undefined : [opts.namespace ?? (await ctx.kube()).namespace];
    return await workloadMetrics(prom, namespaces, METRICS_WINDOW_MS, METRICS_TIMEOUT_MS);
  } catch (err) {
    if (ctx.verbosity > 0) ctx.note(`note: no live metrics: ${(err as Error).message}`);
    return undefined;
  }
}

export async function runStatus(ctx: Context, { service, scope: opts, metrics, proxies, watch }: StatusOptions): Promise<ExitCodeValue> {
  const show = (model: Model) => printData(ctx, service ? model[0] : model, () => renderStatus(model, ctx.color) + syncLine(model));
  // Only when asked or told where istiod is: trying istioctl on every status would cost ~0.5 s without istiod.
  const askIstiod = proxies || !!opts.xdsAddress || !!ctx.env.ISTIOCTL_XDS_ADDRESS;
  let model = await snapshot(ctx, service, opts, metrics, askIstiod);
  await show(model);
  if (!watch) return ExitCode.ok;
  // Re-render only when the model changed; on a terminal, in place.
  let lost = false;
  for (;;) {
    await new Promise((r) => setTimeout(r, WATCH_INTERVAL_MS));
    // A restarted or briefly unreachable API server must not end the watch: say so once, keep trying.
    let next: Model;
    try {
      next = await snapshot(ctx, service, opts, metrics, askIstiod);
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      if (!lost) ctx.note(`warning: ${err.message}; retrying every ${WATCH_INTERVAL_MS / 1000}s`);
      lost = true;
      continue;
    }
    if (lost) ctx.note('reconnected to the API server');
    lost = false;
    if (JSON.stringify(next) === JSON.stringify(model)) continue;
    model = next;
    if (ctx.streams.stdout.isTTY && ctx.output === 'table') ctx.streams.stdout.write('\u001b[H\u001b[2J');
    await show(model);
  }
}
