// One change across many services, all or nothing: every service is planned, gated (Ready pods) and
// analysed before the first write; one refusal and nothing is written. A write that fails part-way
// puts the services already changed back to their previous routing (their objects as read), and
// when even that fails, says exactly what is left and the command that finishes the job.
// Reads are one inventory (a fixed number of list calls); writes are one request per changed object.
import type { Context } from '../../context.js';
import { ConflictError, ExitCode, MeshError, type ExitCodeValue } from '../../errors.js';
import { keepingRolloutBaseline } from '../../rollout/state.js';
import { describePlan } from '../../routing/describe.js';
import type { Plan, Write } from '../../routing/plan.js';
import { resolveTarget, type Target } from '../../routing/target.js';
import type { Obj, Workload } from '../../routing/types.js';
import { workloadOf, type Inventory } from '../../routing/workloads.js';
import type { DryRun, Source } from '../../source/source.js';
import { printObjects } from '../../ui/objects.js';
import { prompter } from '../../ui/prompt.js';
import { spin } from '../../ui/spinner.js';
import { ATTEMPTS, NOTHING_WRITTEN, analyse, checkReadiness, printDiff, showFindings, type Analysis, type Who } from './change.js';
import { gammaRefusals } from './gamma.js';
import { openSource } from './open-source.js';
import type { WriteOptions } from './options.js';
import { checkTarget } from './target-warnings.js';
import { meshWaiter } from './wait.js';

export interface ManySpec {
  /** Names the change in messages, e.g. "env uat". */
  what: string;
  /** The services to change (pure; throws a NotFoundError when there are none). `targets`: the services whose routing could be read. */
  select(workloads: Workload[], targets: Target[], where: string): Workload[];
  /** One service's plan (the single-service planner). `targets`: every service read, for facts shared across them. */
  plan(target: Target, who: Who, targets: Target[]): Plan;
}

interface Refusal {
  service: string;
  error: MeshError;
}

/** What one service's writes did: each object as first read, and as last written (undefined: absent). */
interface Applied {
  namespace: string;
  service: string;
  order: string[];
  kinds: Map<string, Write['kind']>;
  original: Map<string, Obj | undefined>;
  current: Map<string, Obj | undefined>;
}

const keyOf = (w: Write): string => {
  const m = (w.after ?? w.before)!.metadata;
  return `${w.kind} ${m.namespace}/${m.name}`;
};
const label = (p: { namespace: string; service: string }): string => `${p.namespace}/${p.service}`;

export async function runChangeMany(ctx: Context, spec: ManySpec, opts: WriteOptions, source?: Source): Promise<ExitCodeValue> {
  const src = source ?? (await openSource(ctx, opts));
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? src.defaultNamespace);
  const where = namespace === undefined ? 'any namespace' : `namespace ${namespace}`;
  const { versionLabel, dryRun, force: warnOnly } = opts;
  const confirming = ctx.interactive && !opts.yes && src.live && dryRun !== 'client';
  const who: Who = { user: src.user, at: ctx.now().toISOString() };
  const read = () => spin(ctx, `reading ${where}`, () => src.inventory(namespace), NOTHING_WRITTEN);

  const inv = await read();
  const { plans, refusals, warnings, targets } = planAll(ctx, spec, inv, versionLabel, who, where, src.live, warnOnly);
  const changing = plans.filter((p) => p.writes.length);
  // Counted before the later refusals, which are about services already planned.
  const total = plans.length + refusals.length;
  // The same refusals a single-service write makes: an HTTPRoute on one of the hosts (MESH0006).
  if (changing.length) refusals.push(...(await gammaRefusals(ctx, src, inv, changing, namespace, warnOnly)));
  if (!refusals.length && changing.length) {
    refusals.push(...(await spin(ctx, 'analysing the change', () => analyseAll(ctx, src, inv, changing, warnings, opts), NOTHING_WRITTEN)));
  }
  if (refusals.length) throw refused(spec.what, refusals, total);
  if (!changing.length) {
    for (const p of plans) ctx.streams.stdout.write(`${p.summary} (unchanged)\n`);
    return ExitCode.ok;
  }
  if (opts.diff) for (const p of changing) await printDiff(ctx, p);
  else if (confirming) ctx.note(changing.flatMap(describePlan).join('\n'));
  if (dryRun === 'client') {
    const objects = changing.flatMap((p) => p.writes.filter((w) => w.after).map((w) => w.after!));
    if (ctx.output !== 'table' || !opts.diff) await printObjects(ctx, objects, ctx.output === 'json' ? 'json' : 'yaml');
    ctx.note(`${spec.what}: ${changing.length} service${changing.length > 1 ? 's' : ''} would change (dry run: nothing was written)`);
    return ExitCode.ok;
  }
  const count = `${changing.length} service${changing.length > 1 ? 's' : ''}`;
  if (confirming && !(await prompter(ctx).confirm(`Apply to ${count} in ${where}?`, !warnings.length))) {
    ctx.note('Nothing was written.');
    return ExitCode.cancelled;
  }

  const waitForMesh = await meshWaiter(ctx, src, opts);
  const done: Applied[] = [];
  const written: Obj[] = [];
  for (const plan of changing) {
    const applied: Applied = {
      namespace: plan.namespace,
      service: plan.service,
      order: [],
      kinds: new Map(),
      original: new Map(),
      current: new Map(),
    };
    done.push(applied);
    const replan = async (): Promise<Plan> => {
      const again = await read();
      const svc = again.services.find((s) => s.metadata.name === plan.service && (s.metadata.namespace ?? 'default') === plan.namespace);
      if (!svc) throw new MeshError(`service ${label(plan)} disappeared while writing`, ExitCode.conflict);
      return spec.plan(keepingRolloutBaseline(resolveTarget(workloadOf(again, svc), versionLabel)), who, targets);
    };
    try {
      written.push(...(await writeService(ctx, src, plan, dryRun, replan, applied)));
    } catch (err) {
      if (!(err instanceof MeshError) || !src.live || dryRun !== 'none') throw err;
      throw await restore(ctx, src, spec.what, done, err);
    }
  }
  await waitForMesh?.(changing.flatMap((p) => p.writes));
  await report(ctx, src, plans, written, dryRun, spec.what);
  return ExitCode.ok;
}

function planAll(
  ctx: Context,
  spec: ManySpec,
  inv: Inventory,
  versionLabel: string,
  who: Who,
  where: string,
  live: boolean,
  warnOnly: boolean,
) {
  const workloads = inv.services.map((svc) => workloadOf(inv, svc));
  const resolved = new Map<Workload, Target | MeshError>();
  for (const w of workloads) {
    try {
      resolved.set(w, keepingRolloutBaseline(resolveTarget(w, versionLabel)));
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      resolved.set(w, err);
    }
  }
  const targets = [...resolved.values()].filter((r): r is Target => !(r instanceof MeshError));
  const plans: Plan[] = [];
  const refusals: Refusal[] = [];
  const warnings: string[] = [];
  for (const w of spec.select(workloads, targets, where)) {
    const service = `${w.service.metadata.namespace ?? 'default'}/${w.service.metadata.name}`;
    try {
      const t = resolved.get(w)!;
      if (t instanceof MeshError) throw t;
      const plan = spec.plan(t, who, targets);
      // Objects another controller manages are refused (unless --force), as for one service.
      if (plan.writes.length) checkTarget(ctx, t, warnOnly);
      // Offline there are no pods to look at: readiness is the cluster's business.
      if (plan.writes.length && live) warnings.push(...checkReadiness(inv, plan, t.ref.host, warnOnly));
      plans.push(plan);
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      refusals.push({ service, error: err });
    }
  }
  return { plans, refusals, warnings, targets };
}

/** One analysis per namespace (one istioctl run), its findings shown and judged per service. */
async function analyseAll(
  ctx: Context,
  src: Source,
  inv: Inventory,
  plans: Plan[],
  warnings: string[],
  opts: WriteOptions,
): Promise<Refusal[]> {
  const refusals: Refusal[] = [];
  for (const w of warnings) ctx.note(`warning: ${w}`);
  for (const ns of [...new Set(plans.map((p) => p.namespace))]) {
    const mine = plans.filter((p) => p.namespace === ns);
    const analysis = await analyse(ctx, src, inv, mine, ns, opts);
    const origins = (p: Plan) =>
      new Set([p.virtualService, p.destinationRule].filter((o) => o).map((o) => `${o!.kind} ${o!.metadata.namespace}/${o!.metadata.name}`));
    const claimed = new Set(mine.flatMap((p) => [...origins(p)]));
    mine.forEach((plan, i) => {
      const own = origins(plan);
      // Findings about no plan's object (IST0109 on a neighbour) are shown once, with the first service.
      const findings = analysis.findings.filter((f) => own.has(f.origin) || (i === 0 && !claimed.has(f.origin)));
      const part: Analysis = { findings, preexisting: new Set([...analysis.preexisting].filter((f) => findings.includes(f))) };
      try {
        showFindings(ctx, [], part, opts.force, plan);
      } catch (err) {
        if (!(err instanceof MeshError)) throw err;
        refusals.push({ service: label(plan), error: err });
      }
    });
  }
  return refusals;
}

function refused(what: string, refusals: Refusal[], total: number): MeshError {
  const codes = [...new Set(refusals.map((r) => r.error.exitCode))];
  const code: ExitCodeValue = codes.length === 1 ? codes[0] : ExitCode.precondition;
  const why = refusals.map((r) => `${r.service}: ${r.error.message.replace(/;? ?nothing was written$/, '')}`).join('; ');
  const hints = [...new Set(refusals.map((r) => r.error.hint).filter((h): h is string => !!h))];
  return new MeshError(
    `${what}: ${refusals.length} of ${total} service${total > 1 ? 's' : ''} refused, so nothing was written: ${why}`,
    code,
    [...hints, 'or leave those services out with --services/--selector'].join('; '),
  );
}

/** Writes one service's plan object by object, re-planning on a lost race (409) a bounded number of times. */
async function writeService(
  ctx: Context,
  src: Source,
  first: Plan,
  dryRun: DryRun,
  replan: () => Promise<Plan>,
  applied: Applied,
): Promise<Obj[]> {
  let plan = first;
  const out: Obj[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      for (const w of plan.writes) {
        const key = keyOf(w);
        if (!applied.original.has(key)) {
          applied.original.set(key, w.before);
          applied.order.push(key);
          applied.kinds.set(key, w.kind);
        }
        const result = await src.apply({ ...plan, writes: [w] }, dryRun);
        applied.current.set(key, w.action === 'delete' ? undefined : (result[0] ?? w.after));
        out.push(...result);
      }
      return out;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= ATTEMPTS || !src.live) throw err;
      ctx.note(`someone else changed ${label(plan)} meanwhile; re-reading (attempt ${attempt + 1} of ${ATTEMPTS})`);
      plan = await replan();
    }
  }
}

/** The write that puts one object back as it was read, given what is there now. */
function undo(kind: Write['kind'], original: Obj | undefined, current: Obj | undefined): Write | undefined {
  if (!original && !current) return undefined;
  if (!original) return { action: 'delete', kind, before: current };
  const { resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = original.metadata;
  if (!current) return { action: 'create', kind, after: { ...original, metadata } };
  return {
    action: 'replace',
    kind,
    before: current,
    after: { ...original, metadata: { ...metadata, resourceVersion: current.metadata.resourceVersion } },
  };
}

/** Puts every service changed so far back (newest first, routes before subsets); the error says how it went. */
async function restore(ctx: Context, src: Source, what: string, done: Applied[], cause: MeshError): Promise<MeshError> {
  const restored: string[] = [];
  const left: { service: Applied; objects: string[]; error: string }[] = [];
  for (const a of [...done].reverse()) {
    const keys = [...a.order].reverse().filter((k) => a.current.has(k));
    if (!keys.length) continue;
    ctx.note(`restoring ${label(a)} to its previous routing`);
    for (const [i, key] of keys.entries()) {
      const w = undo(a.kinds.get(key)!, a.original.get(key), a.current.get(key));
      if (!w) continue;
      try {
        await src.apply({ namespace: a.namespace, service: a.service, summary: '', writes: [w], receiving: [] }, 'none');
      } catch (err) {
        // Later objects stay as written: removing a subset while routes still use it would cause 503s.
        left.push({ service: a, objects: keys.slice(i), error: err instanceof Error ? err.message : String(err) });
        break;
      }
      if (i === keys.length - 1) restored.push(label(a));
    }
  }
  const failed = `${what}: ${cause.message}`;
  if (!left.length) {
    const back = restored.length ? `; restored ${restored.join(', ')} to their previous routing` : '';
    return new MeshError(`${failed}${back}; nothing of this change is left`, cause.exitCode, cause.hint, { cause });
  }
  const leftText = left.map((l) => `${l.objects.join(', ')} (restore failed: ${l.error})`).join('; ');
  const finish = left
    .filter((l) => l.objects.some((k) => k.startsWith('VirtualService')))
    .map((l) => `kubectl mesh rollback ${l.service.service} -n ${l.service.namespace}`);
  const dr = left.some((l) => !l.objects.some((k) => k.startsWith('VirtualService')));
  return new MeshError(
    `${failed}; ${restored.length ? `restored ${restored.join(', ')}, but ` : ''}still changed: ${leftText}`,
    cause.exitCode,
    [
      finish.length ? `finish the job with: ${finish.join(' && ')}` : undefined,
      dr ? 'a DestinationRule left with an extra subset is harmless: no route sends traffic to it' : undefined,
    ]
      .filter(Boolean)
      .join('; '),
    { cause },
  );
}

async function report(ctx: Context, src: Source, plans: Plan[], written: Obj[], dryRun: DryRun, what: string): Promise<void> {
  const changed = plans.filter((p) => p.writes.length);
  if (ctx.output !== 'table' || src.echo) {
    await printObjects(ctx, written, ctx.output === 'json' ? 'json' : 'yaml');
    if (src.echo) ctx.note(`${what}: ${changed.length} service(s) (offline: printed, nothing written; --in-place rewrites the files)`);
    return;
  }
  const suffix = dryRun === 'server' ? ' (server dry run)' : '';
  for (const p of plans) {
    for (const w of p.writes) {
      const o = (w.after ?? w.before)!;
      const verb = w.action === 'create' ? 'created' : w.action === 'delete' ? 'deleted' : 'configured';
      ctx.streams.stdout.write(`${w.kind.toLowerCase()}/${o.metadata.name} ${verb}${suffix}\n`);
    }
  }
  for (const p of plans) ctx.streams.stdout.write(`${p.summary}${p.writes.length ? '' : ' (unchanged)'}\n`);
  ctx.streams.stdout.write(
    `${what}: ${changed.length} service${changed.length === 1 ? '' : 's'} changed, ${plans.length - changed.length} unchanged${suffix}\n`,
  );
}
