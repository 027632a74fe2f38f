// The rollout state machine. Pure: every function takes the state and `now` and returns the next
// state or the next thing to do; the command does the I/O (writes, queries, sleeping).
import { overall } from './evaluate.js';
import type { MetricCheck, RolloutPolicy, RolloutState } from './types.js';

export type Action =
  /** Set the weight of step `index` (through the usual write path), then start holding it. */
  | { kind: 'step'; index: number }
  /** Query the metrics and record the check. */
  | { kind: 'check' }
  /** Nothing to do before `until` (ms since the epoch). */
  | { kind: 'wait'; until: number }
  /** A pause step: wait for a person. */
  | { kind: 'pause' }
  /** Every step held: promote (policy.promote) or stop at the last weight. */
  | { kind: 'finish' }
  /** Too many failed checks, or no data for too long: back to the routing from before the rollout. */
  | { kind: 'rollback'; reason: string }
  /** Not running (paused, done, failed, aborted): nothing to drive. */
  | { kind: 'stopped' };

const ms = (iso: string | undefined): number => (iso ? Date.parse(iso) : NaN);

export interface Start {
  id: string;
  owner: string;
  service: string;
  namespace: string;
  user: string;
  policy: RolloutPolicy;
  roles: RolloutState['roles'];
  workloads: RolloutState['workloads'];
  baselineRevision: number;
}

export function startRollout(s: Start, now: Date): RolloutState {
  const at = now.toISOString();
  return {
    id: s.id,
    owner: s.owner,
    service: s.service,
    namespace: s.namespace,
    startedBy: s.user,
    startedAt: at,
    policy: s.policy,
    roles: s.roles,
    workloads: s.workloads,
    baselineRevision: s.baselineRevision,
    step: -1,
    phase: 'running',
    failures: 0,
    updatedAt: at,
  };
}

const hasChecks = (p: RolloutPolicy): boolean => p.gates.length > 0 || (p.compareStable && p.maxRegression.length > 0);

/** What to do next. */
export function nextAction(s: RolloutState, now: Date): Action {
  if (s.phase !== 'running') return { kind: 'stopped' };
  const p = s.policy;
  if (s.step < 0) return { kind: 'step', index: 0 };
  const step = p.steps[s.step];
  if ('pause' in step) {
    if (s.pausePassed !== s.step) return { kind: 'pause' };
    return s.step + 1 < p.steps.length ? { kind: 'step', index: s.step + 1 } : { kind: 'finish' };
  }
  const t = now.getTime();
  const started = ms(s.stepStartedAt);
  const end = started + p.intervalMs;
  if (hasChecks(p)) {
    if (s.failures >= p.maxFailures) return { kind: 'rollback', reason: failureReason(s) };
    if (s.noDataSince && t - ms(s.noDataSince) >= p.noDataTimeoutMs) {
      return {
        kind: 'rollback',
        reason: `no data for ${Math.round((t - ms(s.noDataSince)) / 1000)}s (--no-data-timeout ${p.noDataTimeoutMs / 1000}s): ${inconclusiveReason(s)}`,
      };
    }
  }
  // A step with metric gates moves on only once its latest check passed; until then it holds.
  const cleared = !hasChecks(p) || (s.lastVerdict === 'pass' && ms(s.lastCheckAt) >= started);
  if (t >= end && cleared) return s.step + 1 < p.steps.length ? { kind: 'step', index: s.step + 1 } : { kind: 'finish' };
  if (!hasChecks(p)) return { kind: 'wait', until: end };
  const last = ms(s.lastCheckAt);
  const due = Number.isNaN(last) || last < started ? started + p.checkEveryMs : last + p.checkEveryMs;
  if (t >= due) return { kind: 'check' };
  return { kind: 'wait', until: t >= end ? due : Math.min(due, end) };
}

/** The weight of step `index` is written: hold it from now, with a fresh failure count. */
export function enterStep(s: RolloutState, index: number, now: Date): RolloutState {
  const { noDataSince: _n, heldMs: _h, reason: _r, ...rest } = s;
  return { ...rest, step: index, stepStartedAt: now.toISOString(), phase: 'running', failures: 0, updatedAt: now.toISOString() };
}

export function recordCheck(s: RolloutState, checks: MetricCheck[], now: Date): RolloutState {
  const verdict = overall(checks);
  const at = now.toISOString();
  const next: RolloutState = { ...s, lastCheckAt: at, lastVerdict: verdict, lastChecks: checks, updatedAt: at };
  if (verdict === 'fail') next.failures = s.failures + 1;
  if (verdict === 'inconclusive') next.noDataSince = s.noDataSince ?? at;
  else delete next.noDataSince;
  return next;
}

/** Stops where it is (Ctrl-C, SIGTERM, a pause step): the weights stay; a resume holds what was left. */
export function pause(s: RolloutState, now: Date, reason: string): RolloutState {
  const held = s.stepStartedAt ? Math.max(0, now.getTime() - ms(s.stepStartedAt)) : 0;
  return { ...s, phase: 'paused', heldMs: held, reason, updatedAt: now.toISOString() };
}

/**
 * Carries on a paused (or orphaned running) rollout under a new owner. A pause step is passed; a
 * step cut short holds only the rest of its interval; the no-data clock starts again.
 */
export function resume(s: RolloutState, owner: string, now: Date): RolloutState {
  const { heldMs, reason: _r, noDataSince: _n, ...rest } = s;
  const base = { ...rest, owner, phase: 'running' as const, updatedAt: now.toISOString() };
  const step = s.policy.steps[s.step];
  if (step && 'pause' in step) return { ...base, pausePassed: s.step };
  if (s.step < 0) return base;
  const held = heldMs ?? Math.max(0, now.getTime() - ms(s.stepStartedAt));
  return { ...base, stepStartedAt: new Date(now.getTime() - Math.min(held, s.policy.intervalMs)).toISOString() };
}

export function finished(s: RolloutState, phase: 'done' | 'failed' | 'aborted', now: Date, reason?: string): RolloutState {
  return { ...s, phase, ...(reason ? { reason } : {}), updatedAt: now.toISOString() };
}

/** In progress: a new --steps run must be refused (resume or roll back instead). */
export const inProgress = (s: RolloutState | undefined): boolean => !!s && (s.phase === 'running' || s.phase === 'paused');

export function failureReason(s: RolloutState): string {
  const failed = (s.lastChecks ?? []).filter((c) => c.verdict === 'fail').map((c) => c.reason);
  return `${s.failures} failed check${s.failures > 1 ? 's' : ''} at ${weightLabel(s)} (--max-failures ${s.policy.maxFailures})${failed.length ? `: ${failed.join('; ')}` : ''}`;
}

function inconclusiveReason(s: RolloutState): string {
  return (
    (s.lastChecks ?? [])
      .filter((c) => c.verdict === 'inconclusive')
      .map((c) => c.reason)
      .join('; ') || 'checks inconclusive'
  );
}

function weightLabel(s: RolloutState): string {
  const step = s.policy.steps[s.step];
  return step && 'weight' in step ? `step ${s.step + 1}/${s.policy.steps.length} (${step.weight}%)` : `step ${s.step + 1}`;
}
