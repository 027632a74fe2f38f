// One check: the figures Prometheus returned → a verdict per metric and for the whole check.
// No canary data is "inconclusive", never a failure by itself (the step's no-data timeout decides).
import { builtInMetrics, formatValue } from './gates.js';
import type { Gate, MetricCheck, Regression, RolloutPolicy, Verdict } from './types.js';

export interface Figures {
  canary?: number;
  stable?: number;
}

const passes = (g: Gate, v: number): boolean => (g.op === '>=' ? v >= g.threshold : v <= g.threshold);

function judge(name: string, figures: Figures, gate: Gate | undefined, regression: Regression | undefined): MetricCheck {
  const { canary, stable } = figures;
  const base = { name, ...(canary !== undefined ? { canary } : {}), ...(stable !== undefined ? { stable } : {}) };
  if (canary === undefined)
    return { ...base, verdict: 'inconclusive', reason: `${name}: no data for the canary yet (no traffic in the window)` };
  const metric = gate?.metric ?? regression!.metric;
  if (gate && !passes(gate, canary)) {
    return {
      ...base,
      verdict: 'fail',
      reason: `${name} ${formatValue(metric, canary)} ${gate.op === '>=' ? '<' : '>'} ${formatValue(metric, gate.threshold)} (threshold ${gate.op} ${formatValue(metric, gate.threshold)})`,
    };
  }
  if (regression && stable !== undefined) {
    const worse = regression.metric === 'success-rate' ? stable - canary : canary - stable;
    if (worse > regression.allowance) {
      const unit = regression.metric === 'success-rate' ? ' points' : 'ms';
      return {
        ...base,
        verdict: 'fail',
        reason: `${name} ${formatValue(metric, canary)} vs stable ${formatValue(metric, stable)}: ${Math.round(worse * 100) / 100}${unit} worse (max regression ${regression.allowance}${unit})`,
      };
    }
  }
  return { ...base, verdict: 'pass' };
}

/** Verdicts for every gate and regression limit, from the figures per metric name. */
export function evaluateCheck(
  policy: Pick<RolloutPolicy, 'gates' | 'maxRegression' | 'compareStable'>,
  figures: Map<string, Figures>,
): MetricCheck[] {
  const checks: MetricCheck[] = [];
  const regressionOf = (m: string) => (policy.compareStable ? policy.maxRegression.find((r) => r.metric === m) : undefined);
  for (const metric of builtInMetrics(policy.gates, policy.maxRegression, policy.compareStable)) {
    checks.push(
      judge(
        metric,
        figures.get(metric) ?? {},
        policy.gates.find((g) => g.metric === metric),
        regressionOf(metric),
      ),
    );
  }
  for (const g of policy.gates.filter((x) => x.metric === 'custom')) checks.push(judge(g.name, figures.get(g.name) ?? {}, g, undefined));
  return checks;
}

export function overall(checks: MetricCheck[]): Verdict {
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  return checks.some((c) => c.verdict === 'inconclusive') ? 'inconclusive' : 'pass';
}
