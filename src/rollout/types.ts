// The shapes of a rollout: its policy (what the user asked for) and its state (where it is),
// kept on the VirtualService so any machine can show it and carry it on.

/** A step: a canary weight (percent, up to two decimals) or a pause that waits for a person. */
export type Step = { weight: number } | { pause: true };

export type BuiltInMetric = 'success-rate' | 'p99';

export interface Gate {
  /** success-rate, p99, or the user's name for a custom query. */
  name: string;
  metric: BuiltInMetric | 'custom';
  op: '>=' | '<=';
  threshold: number;
  /** Custom gates: PromQL with {{service}} {{namespace}} {{workload}} {{subset}} {{window}}. */
  query?: string;
}

/** How much worse than stable the canary may be: success-rate in points, p99 in ms. */
export interface Regression {
  metric: BuiltInMetric;
  allowance: number;
}

export interface RolloutPolicy {
  steps: Step[];
  intervalMs: number;
  checkEveryMs: number;
  promote: boolean;
  gates: Gate[];
  compareStable: boolean;
  maxRegression: Regression[];
  noDataTimeoutMs: number;
  maxFailures: number;
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** One metric, one check: the canary's and the stable's figures (undefined: no data) and the verdict. */
export interface MetricCheck {
  name: string;
  canary?: number;
  stable?: number;
  verdict: Verdict;
  /** Why it failed or is inconclusive, one line naming the metric, its value and the threshold. */
  reason?: string;
}

export type Phase = 'running' | 'paused' | 'done' | 'failed' | 'aborted';

export interface RolloutState {
  /** Tells this rollout from the next one on the same service. */
  id: string;
  /** The process driving it now; a --resume elsewhere takes it over. */
  owner: string;
  service: string;
  namespace: string;
  startedBy: string;
  startedAt: string;
  policy: RolloutPolicy;
  roles: { stable: string; canary: string };
  /** Deployments behind the subsets: what the metrics are filtered by. */
  workloads: { stable?: string; canary?: string };
  /** The history revision before the rollout's first write: an automatic rollback goes back to it. */
  baselineRevision: number;
  /** Index into policy.steps; -1 before the first step. */
  step: number;
  stepStartedAt?: string;
  phase: Phase;
  /** Paused mid-step: how long the step had been held, so a resume holds only the rest. */
  heldMs?: number;
  failures: number;
  /** A person let the pause step at this index pass (--resume, or "continue" at the prompt). */
  pausePassed?: number;
  /** First inconclusive check since the last pass. */
  noDataSince?: string;
  lastCheckAt?: string;
  lastVerdict?: Verdict;
  lastChecks?: MetricCheck[];
  /** Why it ended (failed, aborted) or paused. */
  reason?: string;
  updatedAt: string;
}
