import { allNamespacesFlag, bool, versionLabelFlag } from '../cli/global-flags.js';
import { gammaServiceHosts } from '../analysis/conflicts.js';
import type { Context } from '../context.js';
import { UnreachableError, UsageError } from '../errors.js';
import { serviceFqdn } from '../model/hosts.js';
import type { Obj } from '../routing/types.js';
import { serviceStatus, type ServiceStatus } from '../routing/status.js';
import { printData } from '../ui/output.js';
import { renderStatus } from '../ui/status-view.js';
import type { Command } from './command.js';
import { serviceArg } from './support/args.js';
import { scopeOptions, type ScopeOptions } from './support/options.js';
import { readTargets } from './support/read.js';

const WATCH_INTERVAL_MS = 2000;

async function snapshot(ctx: Context, service: string | undefined, opts: ScopeOptions): Promise<ServiceStatus[]> {
  const { targets, scope } = await readTargets(ctx, service, opts);
  const gamma = scope.source.live && scope.source.httpRoutes
    ? await scope.source.httpRoutes(scope.namespace)
    : { routes: scope.inventory.httpRoutes ?? [] };
  if (gamma.notice) ctx.note(`note: ${gamma.notice}`);
  return targets.map((t) => withHttpRoutes(serviceStatus(t), gamma.routes));
}

/** Shows GAMMA HTTPRoutes on the service: they split its callers with the VirtualService (MESH0006). */
function withHttpRoutes(status: ServiceStatus, routes: readonly Obj[]): ServiceStatus {
  const host = serviceFqdn(status.service, status.namespace);
  const names = routes.filter((r) => gammaServiceHosts(r).includes(host)).map((r) => `${r.metadata.namespace}/${r.metadata.name}`);
  if (!names.length) return status;
  const also = status.virtualService
    ? `; Istio never merges it with VirtualService ${status.virtualService}: callers in its namespace follow the HTTPRoute, others whichever is older (MESH0006)`
    : '';
  return { ...status, httpRoutes: names, warnings: [...status.warnings, `HTTPRoute ${names.join(', ')} (Gateway API) routes this service${also}`] };
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show what goes where, and whether it is healthy',
  usage: 'status [SERVICE] [-A] [--watch] [flags]',
  description: 'Per service: hosts, gateways, weight per subset, header routes, Ready pods, HPAs, and warnings\n(no Ready pods, weights not summing to 100, foreign routes shadowing ours, drift since our last write).',
  examples: ['kubectl mesh status -n shop', 'kubectl mesh status reviews --watch', 'kubectl mesh status -A -o json'],
  flags: [
    allNamespacesFlag,
    { name: 'watch', short: 'w', kind: 'boolean', description: 'refresh every 2s until Ctrl-C' },
    versionLabelFlag,
  ],
  async run(ctx, args, flags) {
    const service = args.length ? serviceArg(args, 0, 'status [SERVICE]') : undefined;
    const opts = scopeOptions(flags);
    if (service && opts.allNamespaces) throw new UsageError('SERVICE and -A do not go together', 'pass -n NAMESPACE with a SERVICE');
    const show = (model: ServiceStatus[]) => printData(ctx, service ? model[0] : model, () => renderStatus(model, ctx.color));
    let model = await snapshot(ctx, service, opts);
    await show(model);
    if (!bool(flags, 'watch')) return;
    // Re-render only when the model changed; on a terminal, in place.
    let lost = false;
    for (;;) {
      await new Promise((r) => setTimeout(r, WATCH_INTERVAL_MS));
      // A restarted or briefly unreachable API server must not end the watch: say so once, keep trying.
      let next: ServiceStatus[];
      try {
        next = await snapshot(ctx, service, opts);
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
  },
};
