// The shape every routing verb shares: read → pure plan → gate and analyse → show → write.
// A write that loses a race (409) re-reads and re-plans, a bounded number of times.
import { builtInChecks, subsetsWithoutReadyPods } from '../../analysis/checks.js';
import { analyzeChange, mergeProposed } from '../../analysis/run.js';
import type { Finding } from '../../analysis/types.js';
import type { Context } from '../../context.js';
import { ConflictError, ExitCode, PreconditionError, type ExitCodeValue } from '../../errors.js';
import { keepingRolloutBaseline } from '../../rollout/state.js';
import { describePlan } from '../../routing/describe.js';
import { httpRoutes, shadowedOwnedRoutes } from '../../routing/routes.js';
import type { Plan } from '../../routing/plan.js';
import type { Obj } from '../../routing/types.js';
import { serviceStatus } from '../../routing/status.js';
import { resolveTarget, type Target } from '../../routing/target.js';
import { findService, workloadOf, type Inventory } from '../../routing/workloads.js';
import type { DryRun, Source } from '../../source/source.js';
import { renderFindings } from '../../ui/findings.js';
import { printObjects } from '../../ui/objects.js';
import { prompter } from '../../ui/prompt.js';
import { spin } from '../../ui/spinner.js';
import { renderStatus } from '../../ui/status-view.js';
import { refuseGammaConflict } from './gamma.js';
import { analysisRunner, openSource } from './open-source.js';
import type { WriteOptions } from './options.js';
import { checkTarget } from './target-warnings.js';
import { applyAndWait } from './wait.js';

export interface Who {
  user: string;
  at: string;
}

export interface ChangeSpec {
  service: string;
  /**
   * At a terminal, once, before the first plan: asks for what the flags left open (weight, subsets,
   * headers …), given the current routing. Fills in the request that plan() reads.
   */
  ask?(target: Target): Promise<void>;
  plan(target: Target, who: Who): Plan;
  /** Rollback is the way out of trouble: readiness and analysis only warn. */
  emergency?: boolean;
}

export const ATTEMPTS = 5;
/** Findings that need live pods: meaningless offline, where files hold no pods. */
export const POD_CODES = new Set(['IST0173', 'MESH0001']);
export const NOTHING_WRITTEN = 'cancelled; nothing was changed';

export async function runChange(ctx: Context, spec: ChangeSpec, opts: WriteOptions, source?: Source): Promise<ExitCodeValue> {
  const src = source ?? (await openSource(ctx, opts));
  const namespace = opts.namespace ?? src.defaultNamespace;
  const { versionLabel, dryRun, force } = opts;
  const confirming = ctx.interactive && !opts.yes && src.live && dryRun !== 'client';
  for (let attempt = 1; ; attempt++) {
    const inventory = await spin(
      ctx,
      `reading ${namespace}/${spec.service}`,
      () => src.inventory(namespace, spec.service),
      NOTHING_WRITTEN,
    );
    const target = keepingRolloutBaseline(
      resolveTarget(workloadOf(inventory, findService(inventory, namespace, spec.service)), versionLabel),
    );
    if (attempt === 1) checkTarget(ctx, target, force);
    if (attempt === 1 && spec.ask && ctx.interactive) await spec.ask(target);
    const plan = spec.plan(target, { user: src.user, at: ctx.now().toISOString() });
    if (!plan.writes.length) {
      ctx.streams.stdout.write(`${plan.summary} (unchanged)\n`);
      return ExitCode.ok;
    }
    if (attempt === 1) {
      // Offline there are no pods to look at: readiness is the cluster's business.
      const warnOnly = force || !!spec.emergency;
      await refuseGammaConflict(ctx, src, inventory, plan, warnOnly);
      const warnings = src.live ? checkReadiness(inventory, plan, target.ref.host, warnOnly) : [];
      const analysis = await spin(
        ctx,
        'analysing the change',
        () => analyse(ctx, src, inventory, [plan], namespace, opts),
        NOTHING_WRITTEN,
      );
      if (opts.diff) await printDiff(ctx, plan);
      else if (confirming) ctx.note(describePlan(plan).join('\n'));
      showFindings(ctx, warnings, analysis, warnOnly, plan);
      if (dryRun === 'client') return printDryRun(ctx, plan, opts.diff);
      // Anything to look at first makes "no" the answer a bare Enter gives.
      if (
        confirming &&
        !(await prompter(ctx).confirm(`Apply to ${namespace}/${spec.service}?`, !warnings.length && !analysis.findings.length))
      ) {
        ctx.note('Nothing was written.');
        return ExitCode.cancelled;
      }
    }
    try {
      const written = await applyAndWait(ctx, src, plan, opts);
      await report(ctx, plan, written, dryRun, src);
      // At a terminal, the outcome as the cluster now reports it.
      if (ctx.interactive && src.live && ctx.output === 'table' && dryRun === 'none')
        await showStatus(ctx, src, namespace, spec.service, versionLabel);
      return ExitCode.ok;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= ATTEMPTS || !src.live) throw err;
      ctx.note(`someone else changed ${namespace}/${spec.service} meanwhile; re-reading (attempt ${attempt + 1} of ${ATTEMPTS})`);
    }
  }
}

export const snapshotOf = (inv: Inventory) => ({
  virtualServices: inv.virtualServices,
  destinationRules: inv.destinationRules,
  services: inv.services,
  pods: inv.pods,
});

/** Subsets that would receive traffic without Ready pods: an error, or (warnOnly) warnings. */
export function checkReadiness(inv: Inventory, plan: Plan, host: string, warnOnly: boolean): string[] {
  // Judged with the DestinationRule as it will be: a first canary's subsets exist only in the plan.
  const after = mergeProposed(snapshotOf(inv), plan.destinationRule ? [plan.destinationRule] : [], plan.namespace);
  const unready = subsetsWithoutReadyPods(after, host, plan.namespace, plan.receiving);
  if (!unready.length) return [];
  const what = unready.map((u) => `${u.subset} (${u.ready}/${u.pods} pods Ready)`).join(', ');
  const message = `subset ${what} of ${plan.namespace}/${plan.service} would receive traffic but has no Ready pods, so requests would fail with 503`;
  if (!warnOnly) throw new PreconditionError(message, 'wait until its pods are Ready, or pass --force');
  return [message];
}

export interface Analysis {
  findings: Finding[];
  /** Findings the built-in checks already report on the objects as they are: not this change's doing. */
  preexisting: Set<Finding>;
}

/** The findings of the built-in checks and istioctl that concern this change (one istioctl run for all plans of a namespace). */
export async function analyse(
  ctx: Context,
  src: Source,
  inv: Inventory,
  plans: Plan[],
  namespace: string,
  opts: WriteOptions,
): Promise<Analysis> {
  const proposed = plans.flatMap((plan) => [plan.virtualService, plan.destinationRule]).filter((o) => o !== undefined);
  const snapshot = snapshotOf(inv);
  const result = await analyzeChange({ snapshot, proposed, namespace, istioctl: await analysisRunner(ctx, src, opts) });
  // Findings about other objects are not this change's business; conflicts with ours are.
  const ours = new Set(proposed.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`));
  if (result.notice && src.live) ctx.note(`note: ${result.notice}`);
  const findings = result.findings.filter(
    (f: Finding) => (ours.has(f.origin) || f.code === 'IST0109') && (src.live || !POD_CODES.has(f.code)),
  );
  // A user's own broken route must not hold our change hostage: compare with the state before it.
  const before = new Set(builtInChecks(snapshot, { namespace }).map((f) => `${f.code} ${f.origin}`));
  return { findings, preexisting: new Set(findings.filter((f) => before.has(`${f.code} ${f.origin}`))) };
}

/**
 * Prints readiness warnings and findings. Error findings stop the change unless warnOnly, and so
 * do routes of ours behind a user's catch-all (IST0130): writing them would change nothing.
 */
export function showFindings(ctx: Context, warnings: string[], { findings, preexisting }: Analysis, warnOnly: boolean, plan: Plan): void {
  for (const w of warnings) ctx.note(`warning: ${w}`);
  if (findings.length) ctx.note(renderFindings(findings, { color: ctx.color }).trimEnd());
  const shadow = shadowedOwnedRoutes(httpRoutes(plan.virtualService));
  if (shadow && !warnOnly) {
    throw new PreconditionError(
      `${shadow.owned.join(' and ')} would never match: route ${shadow.by} takes every request first (IST0130); nothing was written`,
      'move that route below ours or give it a match, or pass --force to write anyway',
    );
  }
  // Pods not Ready (IST0173, MESH0001) are the readiness gate's call: it knows which subsets gain traffic,
  // so taking traffic away from a broken subset is never blocked by the traffic it still gets.
  const errors = findings.filter((f) => f.level === 'Error' && !POD_CODES.has(f.code) && !preexisting.has(f));
  const old = findings.filter((f) => f.level === 'Error' && preexisting.has(f));
  if (old.length)
    ctx.note(
      `note: ${[...new Set(old.map((f) => f.code))].join(', ')} ${old.length > 1 ? 'were' : 'was'} already there before this change; not blocking it`,
    );
  if (errors.length && !warnOnly) {
    throw new PreconditionError(
      `analysis found ${errors.length} error${errors.length > 1 ? 's' : ''} in the proposed change (${[...new Set(errors.map((e) => e.code))].join(', ')}); nothing was written`,
      'fix the cause, or pass --force to write anyway',
    );
  }
}

export async function printDiff(ctx: Context, plan: Plan): Promise<void> {
  const { unifiedDiff } = await import('../../ui/diff.js');
  ctx.streams.stdout.write(`${describePlan(plan).join('\n')}\n`);
  for (const w of plan.writes) ctx.streams.stdout.write(await unifiedDiff(w, ctx.color));
}

async function printDryRun(ctx: Context, plan: Plan, diffShown: boolean): Promise<ExitCodeValue> {
  const objects = plan.writes.filter((w) => w.after).map((w) => w.after!);
  if (ctx.output === 'table' && !diffShown) {
    await printObjects(ctx, objects, 'yaml');
  } else if (ctx.output !== 'table') await printObjects(ctx, objects, ctx.output);
  ctx.note(`${plan.summary} (dry run: nothing was written)`);
  for (const w of plan.writes.filter((x) => x.action === 'delete'))
    ctx.note(`would delete ${w.kind} ${w.before!.metadata.namespace}/${w.before!.metadata.name}`);
  return ExitCode.ok;
}

function report(ctx: Context, plan: Plan, written: Obj[], dryRun: DryRun, src: Source): Promise<void> | void {
  if (ctx.output !== 'table' || src.echo) {
    return printObjects(ctx, written, ctx.output === 'json' ? 'json' : 'yaml').then(() => {
      if (src.echo) ctx.note(`${plan.summary} (offline: printed, nothing written; --in-place rewrites the files)`);
    });
  }
  const suffix = dryRun === 'server' ? ' (server dry run)' : '';
  for (const w of plan.writes) {
    const o = (w.after ?? w.before)!;
    const verb = w.action === 'create' ? 'created' : w.action === 'delete' ? 'deleted' : 'configured';
    ctx.streams.stdout.write(`${w.kind.toLowerCase()}/${o.metadata.name} ${verb}${suffix}\n`);
  }
  ctx.streams.stdout.write(`${plan.summary}\n`);
}

/** After a change made at a terminal: the service as the cluster now reports it. */
async function showStatus(ctx: Context, src: Source, namespace: string, service: string, versionLabel: string): Promise<void> {
  const inv = await spin(
    ctx,
    `reading ${namespace}/${service}`,
    () => src.inventory(namespace, service),
    'cancelled (the change was applied)',
  );
  const target = resolveTarget(workloadOf(inv, findService(inv, namespace, service)), versionLabel);
  ctx.streams.stdout.write(`\n${renderStatus([serviceStatus(target)], ctx.color)}`);
}
