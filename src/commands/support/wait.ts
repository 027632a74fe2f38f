// --wait: write, then wait until istiod has pushed the change to every connected proxy that serves the
// service and each has acknowledged it (istioctl proxy-status, polled). Writes that take something
// away (subset pruning, HPA scale-down) happen only once that is so. On timeout: exit 4, naming the
// proxies still stale; what was written stays written.
import type { Context } from '../../context.js';
import { ExternalToolError, PreconditionError } from '../../errors.js';
import type { XdsTarget } from '../../istioctl/proxy-status.js';
import type { Plan, Write } from '../../routing/plan.js';
import { judgeSync, proxyName, scopeOfWrites, splitAtSync, type ProxySync, type SyncVerdict } from '../../routing/proxy-sync.js';
import type { Obj } from '../../routing/types.js';
import type { Source } from '../../source/source.js';
import { syncProgress } from '../../ui/sync-progress.js';
import type { SourceOptions, WriteOptions } from './options.js';

const POLL_MS = 250;
const READ_TIMEOUT_MS = 10_000;

interface Waiter {
  read(): Promise<ProxySync[]>;
  deadline: number;
  timeoutMs: number;
}

/**
 * Where istiod is, from --xds-address/--xds-plaintext (else istioctl's env or in-cluster discovery),
 * reached with our own connection: every connection flag and the impersonation, not just
 * --kubeconfig/--context.
 */
const xdsTarget = (ctx: Context, opts: SourceOptions): XdsTarget => ({
  address: opts.xdsAddress,
  plaintext: opts.xdsPlaintext,
  kubeconfig: opts.kubeconfig,
  context: opts.context,
  connection: async () => (await ctx.kube()).toolKubeconfig?.(),
  env: ctx.env,
});

/** istioctl proxy-status, ready to poll; throws (before anything is written) when it cannot be used. */
export async function proxyStatusReader(
  ctx: Context,
  opts: SourceOptions,
  timeoutMs = READ_TIMEOUT_MS,
): Promise<() => Promise<ProxySync[]>> {
  const [{ locateIstioctl }, { readProxyStatus }] = await Promise.all([
    import('../../istioctl/locate.js'),
    import('../../istioctl/proxy-status.js'),
  ]);
  const bin = await locateIstioctl({ explicit: opts.istioctl, env: ctx.env });
  if (!bin)
    throw new ExternalToolError(
      '--wait needs istioctl (1.30 or later) to ask istiod; none found; nothing was written',
      'pass --istioctl PATH or set ISTIOCTL, or drop --wait',
    );
  const target = xdsTarget(ctx, opts);
  return async () => {
    const r = await readProxyStatus(bin, target, timeoutMs);
    if (!r.ok) throw new ExternalToolError(r.why, 'for an istiod outside the cluster pass --xds-address HOST:PORT (and --xds-plaintext)');
    return r.proxies;
  };
}

/** The write step of runChange: plain apply, or apply + wait when --wait is given on a live, real write. */
/** With --wait on a live, real write: a reader of istiod's proxy status and the snapshot taken before writing. */
async function startWait(ctx: Context, src: Source, opts: WriteOptions): Promise<{ waiter: Waiter; baseline: ProxySync[] } | undefined> {
  const { dryRun, waitMs: timeoutMs } = opts;
  if (timeoutMs === undefined) return undefined;
  if (!src.live || dryRun !== 'none') {
    ctx.note(`note: --wait ignored: ${src.live ? 'a dry run' : 'files, not a cluster,'} changes no proxy`);
    return undefined;
  }
  const read = await proxyStatusReader(ctx, opts);
  try {
    return { waiter: { read, deadline: Date.now() + timeoutMs, timeoutMs }, baseline: await read() };
  } catch (err) {
    const e = err as ExternalToolError;
    throw new ExternalToolError(`cannot ask istiod whether proxies have the change: ${e.message}; nothing was written`, e.hint);
  }
}

/** For writes made elsewhere (several services at once): call before writing; the result waits for all of them. */
export async function meshWaiter(ctx: Context, src: Source, opts: WriteOptions): Promise<((writes: Write[]) => Promise<void>) | undefined> {
  const started = await startWait(ctx, src, opts);
  if (!started) return undefined;
  return async (writes) => {
    started.waiter.deadline = Date.now() + started.waiter.timeoutMs;
    await waitForSync(ctx, started.waiter, started.baseline, writes, []);
  };
}

export async function applyAndWait(ctx: Context, src: Source, plan: Plan, opts: WriteOptions): Promise<Obj[]> {
  const started = await startWait(ctx, src, opts);
  if (!started) return src.apply(plan, opts.dryRun);
  const { waiter, baseline } = started;
  const dryRun = opts.dryRun;
  const { first, afterSync } = splitAtSync(plan.writes);
  const written = await src.apply({ ...plan, writes: first }, dryRun);
  const synced = await waitForSync(ctx, waiter, baseline, first, afterSync);
  if (!afterSync.length) return written;
  written.push(...(await src.apply({ ...plan, writes: afterSync }, dryRun)));
  if (afterSync.some((w) => w.kind !== 'HorizontalPodAutoscaler')) await waitForSync(ctx, waiter, synced, afterSync, []);
  return written;
}

const describe = (writes: Write[]): string =>
  writes
    .map((w) =>
      w.kind === 'HorizontalPodAutoscaler'
        ? `scale down HPA ${(w.after ?? w.before)!.metadata.name}`
        : `${w.action === 'delete' ? 'delete' : 'update'} ${w.kind} ${(w.after ?? w.before)!.metadata.name}`,
    )
    .join(', ');

/** Polls until every proxy in scope acknowledged a push sent after `baseline`; returns the last reading. */
async function waitForSync(ctx: Context, w: Waiter, baseline: ProxySync[], batch: Write[], pending: Write[]): Promise<ProxySync[]> {
  const scope = scopeOfWrites(batch);
  const progress = syncProgress(ctx);
  const started = Date.now();
  let verdict: SyncVerdict | undefined;
  let proxies = baseline;
  try {
    for (;;) {
      try {
        proxies = await w.read();
        verdict = judgeSync(baseline, proxies, scope);
        progress.update(verdict);
        if (!verdict.stale.length) break;
      } catch (err) {
        if (!(err instanceof ExternalToolError)) throw err;
        ctx.note(`note: ${err.message}; retrying`); // istiod restarting is no reason to give up before the deadline
      }
      if (Date.now() + POLL_MS > w.deadline) throw timedOut(w, verdict, pending);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    progress.done();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  ctx.note(
    verdict.total
      ? `mesh: ${verdict.total}/${verdict.total} proxies serving the service have the change (${seconds}s after the write)`
      : `mesh: no connected proxy takes the changed ${scope.kinds.join(' and ')}s; nothing to wait for`,
  );
  return proxies;
}

/** The change is written, but not every proxy in scope acknowledged it before --wait ran out. */
export class NotSyncedError extends PreconditionError {
  constructor(
    /** What is missing, without "the change is written": e.g. "1 of 2 proxies still without the change after 3s: …". */
    readonly why: string,
    notDone: string,
    hint: string,
  ) {
    super(`${why}; the change is written${notDone}`, hint);
  }
}

function timedOut(w: Waiter, v: SyncVerdict | undefined, pending: Write[]): NotSyncedError {
  const s = `${w.timeoutMs / 1000}s`;
  const notDone = pending.length ? `; not done yet: ${describe(pending)}` : '';
  if (!v)
    return new NotSyncedError(`could not read istiod's proxy status within ${s}`, notDone, 'check istiod, then run the same command again');
  const names = v.stale.map((p) => `${proxyName(p.id)} (${p.why})`).join(', ');
  return new NotSyncedError(
    `${v.stale.length} of ${v.total} prox${v.total === 1 ? 'y' : 'ies'} still without the change after ${s}: ${names}`,
    notDone,
    pending.length
      ? 'once those proxies sync, run the same command again to finish'
      : 'check those proxies (istioctl proxy-status), or wait longer with --wait=2m',
  );
}

const STATUS_TIMEOUT_MS = 3_000;

/** For status: how many sidecars and gateways acknowledged istiod's last push; undefined when istiod cannot be asked (quickly). */
export async function meshSync(ctx: Context, opts: SourceOptions): Promise<{ synced: number; total: number } | undefined> {
  try {
    const read = await proxyStatusReader(ctx, opts, STATUS_TIMEOUT_MS);
    const { syncedNow } = await import('../../routing/proxy-sync.js');
    return syncedNow(await read());
  } catch {
    return undefined; // no istioctl, no istiod, too slow: status stays as it was
  }
}
