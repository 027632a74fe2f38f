// --analysis and --max-regression: the metric gates a rollout checks.
//   success-rate>=99        percent of non-5xx responses (Istio's istio_requests_total)
//   p99<=500ms              99th percentile latency (istio_request_duration_milliseconds_bucket)
//   NAME:PROMQL<=VALUE      the user's own query, with {{service}} {{namespace}} {{workload}} {{subset}} {{window}}
//   --max-regression 1%     canary success rate at most 1 point below stable's
//   --max-regression 100ms  canary p99 at most 100 ms above stable's
import { UsageError } from '../errors.js';
import type { Gate, Regression } from './types.js';

const NUMBER = /^\d+(?:\.\d+)?$/;
const HINT =
  'e.g. --analysis success-rate>=99, --analysis p99<=500ms, or --analysis \'errors:sum(rate(my_errors{app="{{service}}"}[{{window}}]))<=1\'';

export function parseGate(text: string): Gate {
  const builtIn = /^(success-rate|p99)\s*(>=|<=)\s*([\d.]+)\s*(%|ms|s)?$/.exec(text.trim());
  if (builtIn) {
    const [, metric, op, value, unit] = builtIn as unknown as [string, 'success-rate' | 'p99', '>=' | '<=', string, string | undefined];
    if (!NUMBER.test(value)) throw new UsageError(`--analysis "${text}": "${value}" is not a number`, HINT);
    if (metric === 'success-rate') {
      if (unit && unit !== '%') throw new UsageError(`--analysis "${text}": a success rate is in percent`, 'e.g. success-rate>=99');
      if (Number(value) > 100) throw new UsageError(`--analysis "${text}": a success rate is at most 100%`, 'e.g. success-rate>=99');
      return { name: metric, metric, op, threshold: Number(value) };
    }
    if (unit === '%') throw new UsageError(`--analysis "${text}": p99 is a latency`, 'e.g. p99<=500ms');
    return { name: metric, metric, op, threshold: Number(value) * (unit === 's' ? 1000 : 1) };
  }
  // NAME:PROMQL OP VALUE: the operator is the last >= or <= (PromQL itself may compare).
  const custom = /^([A-Za-z][\w-]*):(.+?)(>=|<=)\s*(-?[\d.]+(?:e-?\d+)?)\s*$/s.exec(text.trim());
  if (custom) {
    const [, name, query, op, value] = custom as unknown as [string, string, string, '>=' | '<=', string];
    if (Number.isNaN(Number(value))) throw new UsageError(`--analysis "${text}": "${value}" is not a number`, HINT);
    if (name === 'success-rate' || name === 'p99')
      throw new UsageError(`--analysis "${text}": ${name} is a built-in metric's name`, 'give your query another name');
    return { name, metric: 'custom', op, threshold: Number(value), query: query.trim() };
  }
  throw new UsageError(`--analysis "${text}" is not a metric gate`, HINT);
}

export function parseGates(texts: string[]): Gate[] {
  const gates = texts.map(parseGate);
  const names = gates.map((g) => g.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`--analysis names ${dup} twice`, 'give each gate once (custom gates need distinct names)');
  return gates;
}

export function parseRegression(text: string): Regression {
  const m = /^([\d.]+)\s*(%|ms|s)$/.exec(text.trim());
  if (!m || !NUMBER.test(m[1])) {
    throw new UsageError(
      `--max-regression "${text}" is not a percentage or a latency`,
      'e.g. --max-regression 1% (success rate) or --max-regression 100ms (p99)',
    );
  }
  if (m[2] === '%') return { metric: 'success-rate', allowance: Number(m[1]) };
  return { metric: 'p99', allowance: Number(m[1]) * (m[2] === 's' ? 1000 : 1) };
}

export function parseRegressions(texts: string[]): Regression[] {
  const all = texts.map(parseRegression);
  // The last one given for a metric wins, as with kubectl's repeated flags.
  return [...new Map(all.map((r) => [r.metric, r])).values()];
}

/** Built-in metrics the rollout must measure: those with a gate or a regression limit. */
export function builtInMetrics(gates: Gate[], regressions: Regression[], compareStable: boolean): ('success-rate' | 'p99')[] {
  const wanted = new Set<'success-rate' | 'p99'>();
  for (const g of gates) if (g.metric !== 'custom') wanted.add(g.metric);
  if (compareStable) for (const r of regressions) wanted.add(r.metric);
  return (['success-rate', 'p99'] as const).filter((m) => wanted.has(m));
}

export const formatValue = (metric: string, v: number | undefined): string => {
  if (v === undefined) return 'no data';
  if (metric === 'success-rate') return `${round(v)}%`;
  if (metric === 'p99') return `${Math.round(v)}ms`;
  return round(v);
};

const round = (v: number): string => String(Math.round(v * 100) / 100);

export const describeGate = (g: Gate): string =>
  g.metric === 'custom' ? `${g.name} ${g.op} ${g.threshold}` : `${g.name} ${g.op} ${formatValue(g.metric, g.threshold)}`;
