// The rollout's state lives in one annotation on the VirtualService, next to the routing history, so
// `status` on any machine shows it and `--resume` after a lost terminal carries on. A hand-edited or
// broken annotation reads as "no rollout" (never a crash); the next rollout write replaces it.
import type { Plan, Write } from '../routing/plan.js';
import type { Target } from '../routing/target.js';
import type { Obj } from '../routing/types.js';
import { inProgress } from './machine.js';
import type { Gate, MetricCheck, Phase, Regression, RolloutPolicy, RolloutState, Step } from './types.js';

export const ROLLOUT_ANNOTATION = 'kubectl-mesh.io/rollout';

const PHASES: Phase[] = ['running', 'paused', 'done', 'failed', 'aborted'];
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): boolean => v === undefined || (isStr(v) && !Number.isNaN(Date.parse(v)));

const isStep = (v: unknown): v is Step => isObj(v) && (v.pause === true || (isNum(v.weight) && v.weight >= 0 && v.weight <= 100));
const isGate = (v: unknown): v is Gate =>
  isObj(v) &&
  isStr(v.name) &&
  ['success-rate', 'p99', 'custom'].includes(v.metric as string) &&
  (v.op === '>=' || v.op === '<=') &&
  isNum(v.threshold) &&
  (v.metric !== 'custom' || isStr(v.query));
const isRegression = (v: unknown): v is Regression => isObj(v) && (v.metric === 'success-rate' || v.metric === 'p99') && isNum(v.allowance);
const isCheck = (v: unknown): v is MetricCheck =>
  isObj(v) && isStr(v.name) && ['pass', 'fail', 'inconclusive'].includes(v.verdict as string);

function isPolicy(v: unknown): v is RolloutPolicy {
  return (
    isObj(v) &&
    Array.isArray(v.steps) &&
    v.steps.length > 0 &&
    v.steps.every(isStep) &&
    isNum(v.intervalMs) &&
    isNum(v.checkEveryMs) &&
    v.checkEveryMs > 0 &&
    typeof v.promote === 'boolean' &&
    Array.isArray(v.gates) &&
    v.gates.every(isGate) &&
    typeof v.compareStable === 'boolean' &&
    Array.isArray(v.maxRegression) &&
    v.maxRegression.every(isRegression) &&
    isNum(v.noDataTimeoutMs) &&
    isNum(v.maxFailures)
  );
}

/** The rollout recorded on `vs`, or undefined when there is none or it is not a shape we wrote. */
export function readRollout(vs: Obj | undefined): RolloutState | undefined {
  const raw = vs?.metadata.annotations?.[ROLLOUT_ANNOTATION];
  if (!raw) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObj(v) || !isStr(v.id) || !isStr(v.owner) || !isStr(v.service) || !isStr(v.namespace) || !isStr(v.startedBy)) return undefined;
  if (!PHASES.includes(v.phase as Phase) || !isPolicy(v.policy) || !isNum(v.step) || !isNum(v.failures) || !isNum(v.baselineRevision))
    return undefined;
  if (!isObj(v.roles) || !isStr(v.roles.stable) || !isStr(v.roles.canary) || !isObj(v.workloads)) return undefined;
  if (v.step < -1 || v.step >= v.policy.steps.length) return undefined;
  if (![v.startedAt, v.stepStartedAt, v.lastCheckAt, v.noDataSince, v.updatedAt].every(isTime) || !isStr(v.startedAt)) return undefined;
  const state = v as unknown as RolloutState;
  // Check results are only shown: drop a malformed list rather than the whole rollout.
  if (state.lastChecks !== undefined && !(Array.isArray(state.lastChecks) && state.lastChecks.every(isCheck))) delete state.lastChecks;
  return state;
}

export function withRollout(vs: Obj, state: RolloutState | undefined): Obj {
  const { [ROLLOUT_ANNOTATION]: _old, ...others } = vs.metadata.annotations ?? {};
  const annotations = state ? { ...others, [ROLLOUT_ANNOTATION]: JSON.stringify(state) } : others;
  return { ...vs, metadata: { ...vs.metadata, annotations } };
}

/**
 * A routing plan that also records `state` on the VirtualService, in the same write. When the plan
 * leaves the VirtualService as it is (same weight), the state still needs a write of its own.
 */
export function planWithRollout(plan: Plan, current: Obj | undefined, state: RolloutState): Plan {
  const vsWrite = plan.writes.find((w) => w.kind === 'VirtualService');
  if (vsWrite?.action === 'delete') return plan; // rolled back to before kubectl-mesh: the state goes with the object
  const base = vsWrite?.after ?? plan.virtualService ?? current;
  if (!base) return plan;
  const after = withRollout(base, state);
  const writes: Write[] = vsWrite
    ? plan.writes.map((w) => (w === vsWrite ? { ...w, after } : w))
    : [...plan.writes, { action: 'replace', kind: 'VirtualService', before: current, after }];
  return { ...plan, writes, virtualService: after };
}

/** `kubectl mesh rollback` during a rollout aborts it: the rollback's own write records that. */
export function abortingRollout(plan: Plan, current: Obj | undefined, who: { user: string; at: string }): Plan {
  const state = readRollout(current);
  if (!state || (state.phase !== 'running' && state.phase !== 'paused')) return plan;
  return planWithRollout(plan, current, { ...state, phase: 'aborted', reason: `rolled back by ${who.user}`, updatedAt: who.at });
}

/**
 * While a rollout is running or paused, every write to its service (its own steps, a person's
 * `canary 30` meanwhile) keeps the rollout's baseline revision and all after it in the history, so
 * rolling the rollout back can still go to exactly the routing from before it.
 */
export function keepingRolloutBaseline(t: Target): Target {
  const s = readRollout(t.vs);
  return s && inProgress(s) ? { ...t, keepHistoryFrom: s.baselineRevision } : t;
}
