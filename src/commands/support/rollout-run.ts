// canary SERVICE --steps …: drives a rollout in the foreground. The pure core (src/rollout) says
// what to do next; this file does it: each step's weight goes through runChange (analysis,
// readiness gate, HPA scaling, conflict retry, history) with the rollout state in the same write,
// checks query Prometheus, and Ctrl-C/SIGTERM leave the weights as they are, recorded as paused.
import os from 'node:os';
import type { Context } from '../../context.js';
import {
  CancelledError,
  ConflictError,
  ExitCode,
  MeshError,
  PreconditionError,
  UnreachableError,
  type ExitCodeValue,
} from '../../errors.js';
import { checkFigures, checkQueries, type CheckScope } from '../../metrics/collect.js';
import { describeWhere, PrometheusError, type Prometheus } from '../../metrics/prometheus.js';
import { evaluateCheck } from '../../rollout/evaluate.js';
import { eventBase, resumeCommand, rollbackCommand, type RolloutEventBody } from '../../rollout/events.js';
import { builtInMetrics, describeGate } from '../../rollout/gates.js';
import { enterStep, finished, inProgress, nextAction, pause, recordCheck, resume, startRollout } from '../../rollout/machine.js';
import { planWithRollout, readRollout } from '../../rollout/state.js';
import { stepLabel, weightAt } from '../../rollout/steps.js';
import type { MetricCheck, RolloutPolicy, RolloutState } from '../../rollout/types.js';
import { planCanary } from '../../routing/canary.js';
import type { Plan } from '../../routing/plan.js';
import { planPromote } from '../../routing/promote.js';
import { planRollback } from '../../routing/rollback.js';
import { chooseRoles, resolveTarget, type Target } from '../../routing/target.js';
import { findService, workloadOf } from '../../routing/workloads.js';
import type { Source } from '../../source/source.js';
import { prompter } from '../../ui/prompt.js';
import { rolloutView } from '../../ui/rollout-view.js';
import { runChange, type Who } from './change.js';
import type { WriteOptions } from './options.js';
import { checkWindowMs } from './rollout-options.js';
import { checkOwnership, RolloutLost, RolloutStore } from './rollout-store.js';
import { NotSyncedError } from './wait.js';

export interface RolloutRequest {
  service: string;
  namespace: string;
  /** How each step is written (always --yes: the rollout was asked for as a whole). */
  write: WriteOptions;
  /** A new rollout's policy; undefined with --resume. */
  policy?: RolloutPolicy;
  roles: { stable?: string; canary?: string };
  dryRun: boolean;
  /** Opened when the rollout has metric gates. */
  prometheus?: (policy: RolloutPolicy) => Prometheus;
}

const hasChecks = (p: RolloutPolicy): boolean => p.gates.length > 0 || (p.compareStable && p.maxRegression.length > 0);
const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream;

export async function runRollout(ctx: Context, src: Source, req: RolloutRequest): Promise<ExitCodeValue> {
  // Loaded here, not at start-up (node:crypto costs ~5 ms to load, and only rollouts need it).
  const { randomUUID } = await import('node:crypto');
  const kube = await ctx.kube();
  const inv = await src.inventory(req.namespace, req.service);
  const t = resolveTarget(workloadOf(inv, findService(inv, req.namespace, req.service)), req.write.versionLabel);
  const existing = readRollout(t.vs);
  const owner = `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const where = `${t.ref.namespace}/${t.ref.name}`;
  let state: RolloutState;
  if (req.policy) {
    if (inProgress(existing)) {
      throw new ConflictError(
        `a rollout of ${where} is already ${existing!.phase} (step ${existing!.step + 1}/${existing!.policy.steps.length}, started by ${existing!.startedBy} at ${existing!.startedAt})`,
        `carry it on with "${resumeCommand(existing!)}", or stop it with "${rollbackCommand(existing!)}"`,
      );
    }
    const roles = chooseRoles(t, req.roles);
    const workloadOfSubset = (s: string) => t.versions.find((v) => v.subset === s)?.deployment;
    state = startRollout(
      {
        id: randomUUID().slice(0, 8),
        owner,
        service: t.ref.name,
        namespace: t.ref.namespace,
        user: src.user,
        policy: req.policy,
        roles,
        workloads: { stable: workloadOfSubset(roles.stable), canary: workloadOfSubset(roles.canary) },
        baselineRevision: t.history.at(-1)?.revision ?? 1,
      },
      ctx.now(),
    );
  } else {
    if (!inProgress(existing)) {
      throw new PreconditionError(
        `no rollout of ${where} to resume${existing ? ` (the last one is ${existing.phase}${existing.reason ? `: ${existing.reason}` : ''})` : ''}`,
        'start one with --steps, e.g. --steps 10,50,100 --interval 1m',
      );
    }
    state = resume(existing!, owner, ctx.now());
  }
  const policy = state.policy;
  const prom = hasChecks(policy) ? req.prometheus?.(policy) : undefined;
  const scope: CheckScope = {
    namespace: state.namespace,
    service: state.service,
    subsets: state.roles,
    workloads: state.workloads,
    windowMs: checkWindowMs(policy),
  };
  if (req.dryRun) return printPlan(ctx, state, prom, scope, !req.policy);
  if (prom) await probe(prom);

  const view = rolloutView(ctx);
  const emit = (e: RolloutEventBody) => {
    view.event({ ...eventBase(state, ctx.now()), ...e });
  };
  const store = new RolloutStore(kube, state.namespace, state.id, owner);
  store.vsName = t.vs?.metadata.name;
  // Steps, rollbacks and promotion go through the usual write path, quietly: the events say what happened.
  const quiet: Context = { ...ctx, interactive: false, output: 'table', streams: { ...ctx.streams, stdout: sink } };
  let recorded = !req.policy;
  const write = async (plan: (t: Target, who: Who) => Plan, next: (cur: RolloutState, at: Date) => RolloutState, emergency = false) => {
    let written = state;
    try {
      await runChange(
        quiet,
        {
          service: state.service,
          emergency,
          plan: (tt, who) => {
            const cur = readRollout(tt.vs);
            // Still ours; before the first write of a new rollout: nobody else started one meanwhile.
            if (recorded || inProgress(cur))
              checkOwnership(cur, state.id, owner, `${tt.ref.namespace}/${tt.vs?.metadata.name ?? tt.ref.name}`);
            written = next(state, new Date(who.at));
            const p = plan(tt, who);
            store.vsName ??= p.virtualService?.metadata.name;
            return planWithRollout(p, tt.vs, written);
          },
        },
        req.write,
        src,
      );
    } catch (err) {
      // --wait ran out after the write: the routes and the state written with them are in force.
      if (!(err instanceof NotSyncedError)) throw err;
      state = written;
      recorded = true;
      throw err;
    }
    state = written;
    recorded = true;
  };

  const signals = listen();
  try {
    if (req.policy)
      emit({ event: 'started', steps: policy.steps.map(stepLabel), resumed: false, prometheus: prom && describeWhere(prom.where) });
    else {
      state = await store.update(() => state, { takeOver: true });
      emit({ event: 'started', steps: policy.steps.map(stepLabel), resumed: true, prometheus: prom && describeWhere(prom.where) });
    }
    for (;;) {
      if (signals.pending) {
        const code = await interrupted(signals.pending);
        if (code !== undefined) return code;
      }
      const now = ctx.now();
      const a = nextAction(state, now);
      switch (a.kind) {
        case 'step': {
          const step = policy.steps[a.index];
          if ('pause' in step) {
            state = await store.update(() => enterStep(state, a.index, ctx.now()));
            recorded = true;
            break;
          }
          try {
            await write(
              (tt, who) => planCanary(tt, { weight: step.weight, ...state.roles, scaleHpa: req.write.scaleHpa, ...who }),
              (cur, at) => enterStep(cur, a.index, at),
            );
            // The step holds from when its weight is written (with --wait: and every proxy has it), not from when
            // it was planned (analysis takes a while); the next state write records it.
            state = { ...state, stepStartedAt: ctx.now().toISOString() };
          } catch (err) {
            if (err instanceof CancelledError) {
              signals.pending ??= 'SIGINT';
              break;
            }
            if (err instanceof NotSyncedError) {
              // The weight is written but not every proxy has it: the step has not started holding.
              const reason = `step ${a.index + 1} (${step.weight}%) is written, but ${err.why}`;
              const now = ctx.now();
              state = await store.update(() => pause({ ...state, stepStartedAt: now.toISOString() }, now, reason)).catch(() => state);
              emitPaused(reason);
              throw err;
            }
            if (err instanceof MeshError && !(err instanceof RolloutLost) && store.vsName && state.step >= 0) {
              state = await store
                .update(() => pause(state, ctx.now(), `step ${a.index + 1} could not be written: ${err.message}`))
                .catch(() => state);
              emitPaused(`step ${a.index + 1} could not be written`);
            }
            throw err;
          }
          emit({
            event: 'step',
            step: a.index + 1,
            steps: policy.steps.length,
            weight: step.weight,
            canary: state.roles.canary,
            stable: state.roles.stable,
          });
          break;
        }
        case 'check': {
          const checks = await check(prom, policy, scope);
          state = await store.update(() => recordCheck(state, checks, ctx.now()));
          emit({
            event: 'check',
            step: state.step + 1,
            weight: weightAt(policy.steps, state.step),
            verdict: state.lastVerdict!,
            failures: state.failures,
            checks,
          });
          break;
        }
        case 'wait': {
          view.live(state, now);
          const tty = ctx.output === 'table' && ctx.streams.stderr.isTTY;
          await signals.sleep(Math.max(0, tty ? Math.min(1000, a.until - now.getTime()) : a.until - now.getTime()));
          break;
        }
        case 'pause': {
          view.clear();
          const choice = ctx.interactive
            ? await ask(ctx, `${where} reached a pause step at ${weightAt(policy.steps, state.step)}%.`, false)
            : 'pause';
          if (choice === 'continue') state = await store.update(() => resume(state, owner, ctx.now()));
          else if (choice === 'rollback') return await rollBack(`rolled back at the pause step by ${src.user}`, false);
          else {
            state = await store.update(() => pause(state, ctx.now(), 'waiting at a pause step'));
            emitPaused('waiting at a pause step');
            return ExitCode.ok;
          }
          break;
        }
        case 'finish': {
          view.clear();
          const weight = weightAt(policy.steps, policy.steps.length - 1);
          if (policy.promote) {
            await write(
              (tt, who) => planPromote(tt, { canary: state.roles.canary, ...who }),
              (cur, at) => finished(cur, 'done', at),
            );
            emit({ event: 'promoted', canary: state.roles.canary });
          } else state = await store.update(() => finished(state, 'done', ctx.now()));
          emit({ event: 'done', weight, promoted: policy.promote });
          if (ctx.output !== 'json')
            ctx.streams.stdout.write(`${where}: rollout done at ${weight}%${policy.promote ? `, ${state.roles.canary} promoted` : ''}\n`);
          return ExitCode.ok;
        }
        case 'rollback':
          return await rollBack(a.reason, true);
        case 'stopped':
          return ExitCode.ok;
      }
    }
  } finally {
    view.clear();
    signals.close();
  }

  function emitPaused(reason: string): void {
    emit({ event: 'paused', step: state.step + 1, reason, resume: resumeCommand(state), rollback: rollbackCommand(state) });
  }

  /** Back to the routing from before the rollout (its baseline revision), recorded as failed. */
  async function rollBack(reason: string, failed: boolean): Promise<ExitCodeValue> {
    view.clear();
    emit({ event: 'rollback', reason, toRevision: state.baselineRevision });
    try {
      await write(
        (tt, who) => planRollback(tt, { toRevision: state.baselineRevision, ...who }),
        (cur, at) => finished(cur, failed ? 'failed' : 'aborted', at, reason),
        true,
      );
    } catch (err) {
      // Already at the baseline (nothing was written yet): only the state changes.
      if (!(err instanceof PreconditionError) || !/already at revision/.test(err.message)) throw err;
      state = await store.update(() => finished(state, failed ? 'failed' : 'aborted', ctx.now(), reason));
    }
    if (!failed) return ExitCode.ok;
    throw new PreconditionError(
      `rollout of ${where} failed: ${reason}; rolled back to revision ${state.baselineRevision} (the routing before the rollout)`,
      `see "kubectl mesh history ${state.service} -n ${state.namespace}"`,
    );
  }

  /** Ctrl-C or SIGTERM: at a terminal Ctrl-C asks; otherwise the rollout is recorded paused, exit 130. */
  async function interrupted(signal: 'SIGINT' | 'SIGTERM'): Promise<ExitCodeValue | undefined> {
    signals.pending = undefined;
    view.clear();
    let choice: Choice = 'pause';
    if (signal === 'SIGINT' && ctx.interactive)
      choice = await ask(
        ctx,
        `Interrupted at step ${state.step + 1}/${policy.steps.length} (${weightAt(policy.steps, state.step)}%).`,
        true,
      );
    if (choice === 'continue') return undefined;
    if (choice === 'rollback') return rollBack(`rolled back by ${src.user} (interrupted)`, false);
    if (store.vsName && state.step >= 0) state = await store.update(() => pause(state, ctx.now(), `interrupted (${signal})`));
    emitPaused(`interrupted (${signal})`);
    if (ctx.output !== 'json')
      ctx.note(
        `weights left as they are (${weightAt(policy.steps, state.step)}% to ${state.roles.canary}); resume: ${resumeCommand(state)}; roll back: ${rollbackCommand(state)}`,
      );
    return ExitCode.cancelled;
  }
}

type Choice = 'continue' | 'rollback' | 'pause';

/** At a terminal: carry on, roll back, or stop here. Ctrl-C at the question means stop here. */
async function ask(ctx: Context, message: string, interrupted: boolean): Promise<Choice> {
  try {
    return await prompter(ctx).select<Choice>(
      `${message} What now?`,
      [
        { name: interrupted ? 'Pause here (weights stay; --resume later)' : 'Stay paused (weights stay; --resume later)', value: 'pause' },
        { name: 'Roll back now (to the routing before the rollout)', value: 'rollback' },
        { name: 'Continue the rollout', value: 'continue' },
      ],
      'pause',
    );
  } catch (err) {
    if (err instanceof CancelledError) return 'pause';
    throw err;
  }
}

/** One check: the figures, or every metric inconclusive when Prometheus does not answer. */
async function check(prom: Prometheus | undefined, policy: RolloutPolicy, scope: CheckScope): Promise<MetricCheck[]> {
  if (!prom) return [];
  try {
    return evaluateCheck(policy, await checkFigures(prom, policy, scope));
  } catch (err) {
    if (!(err instanceof PrometheusError)) throw err;
    const names = [
      ...builtInMetrics(policy.gates, policy.maxRegression, policy.compareStable),
      ...policy.gates.filter((g) => g.metric === 'custom').map((g) => g.name),
    ];
    return names.map((name) => ({ name, verdict: 'inconclusive' as const, reason: `${name}: ${err.message}; holding the current step` }));
  }
}

async function probe(prom: Prometheus): Promise<void> {
  try {
    await prom.query('vector(1)', 5000);
  } catch (err) {
    throw new UnreachableError(
      `cannot start the rollout: ${(err as Error).message}; nothing was written`,
      'pass --prometheus URL (or set MESH_PROMETHEUS_URL), or drop --analysis',
    );
  }
}

function printPlan(ctx: Context, s: RolloutState, prom: Prometheus | undefined, scope: CheckScope, resumed: boolean): ExitCodeValue {
  const p = s.policy;
  const out = ctx.streams.stdout;
  const plan = {
    service: `${s.namespace}/${s.service}`,
    resumed,
    stable: s.roles.stable,
    canary: s.roles.canary,
    steps: p.steps.map(stepLabel),
    interval: `${p.intervalMs / 1000}s`,
    checkEvery: `${p.checkEveryMs / 1000}s`,
    promote: p.promote,
    gates: p.gates.map(describeGate),
    maxRegression: p.maxRegression.map((r) => `${r.metric} ${r.allowance}${r.metric === 'p99' ? 'ms' : ' points'}`),
    noDataTimeout: `${p.noDataTimeoutMs / 1000}s`,
    maxFailures: p.maxFailures,
    prometheus: prom ? describeWhere(prom.where) : undefined,
    queries: prom ? checkQueries(p, scope).map((q) => q.query) : [],
  };
  if (ctx.output === 'json') out.write(`${JSON.stringify(plan, null, 2)}\n`);
  else {
    out.write(
      `rollout of ${plan.service}: ${plan.steps.join(' → ')} to ${s.roles.canary} (stable ${s.roles.stable}), each held ${plan.interval}${p.promote ? ', then promote' : ''}\n`,
    );
    if (plan.gates.length || plan.maxRegression.length) {
      out.write(
        `checks every ${plan.checkEvery} (window ${scope.windowMs / 1000}s) against ${plan.prometheus}: ${[...plan.gates, ...plan.maxRegression.map((r) => `regression ${r}`)].join(', ')}; ${p.maxFailures} failed checks in a step or ${plan.noDataTimeout} without data roll back\n`,
      );
      for (const q of plan.queries) out.write(`  query: ${q}\n`);
    } else out.write('no metric gates: each step just holds its interval\n');
  }
  ctx.note('dry run: nothing was written');
  return ExitCode.ok;
}

interface Signals {
  pending?: 'SIGINT' | 'SIGTERM';
  /** Resolves after `ms`, or at once on a signal. */
  sleep(ms: number): Promise<void>;
  close(): void;
}

function listen(): Signals {
  let wake: (() => void) | undefined;
  const s: Signals = {
    pending: undefined,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (s.pending) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          wake = undefined;
          resolve();
        }, ms);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      }),
    close() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
  const onInt = () => {
    s.pending ??= 'SIGINT';
    wake?.();
  };
  const onTerm = () => {
    s.pending = 'SIGTERM';
    wake?.();
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return s;
}
