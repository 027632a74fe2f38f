import t from 'tap';
import { UsageError } from '../../../src/errors.js';
import { integerWeights, parseWeight } from '../../../src/routing/canary.js';
import { parseGate, parseGates, parseRegressions } from '../../../src/rollout/gates.js';
import { parseSteps, weightAt } from '../../../src/rollout/steps.js';

t.test('steps: weights up to two decimals and pauses', async (t) => {
  t.strictSame(parseSteps('10,25,pause,50,100'), [{ weight: 10 }, { weight: 25 }, { pause: true }, { weight: 50 }, { weight: 100 }]);
  t.strictSame(parseSteps('0.1, 1,5,25,100'), [{ weight: 0.1 }, { weight: 1 }, { weight: 5 }, { weight: 25 }, { weight: 100 }]);
  for (const bad of ['', '10,,20', 'pause', '0,50', '101', '10,abc', '0.125', '-5']) {
    t.throws(() => parseSteps(bad), UsageError, `"${bad}" is refused`);
  }
  t.equal(weightAt(parseSteps('10,pause,50'), 1), 10, 'a pause keeps the weight before it');
  t.equal(weightAt(parseSteps('10,pause,50'), -1), 0);
});

t.test('fine-grained weights: smallest integers with exactly the asked ratio', async (t) => {
  t.equal(parseWeight('0.5'), 0.5);
  t.equal(parseWeight('12.25'), 12.25);
  t.throws(() => parseWeight('0.333'), /at most two decimals/);
  t.strictSame(integerWeights(20), [80, 20], 'whole percents stay a split of 100');
  t.strictSame(integerWeights(0), [100, 0]);
  t.strictSame(integerWeights(100), [0, 100]);
  t.strictSame(integerWeights(0.5), [199, 1]);
  t.strictSame(integerWeights(0.1), [999, 1]);
  t.strictSame(integerWeights(12.5), [7, 1]);
  t.strictSame(integerWeights(33.33), [6667, 3333]);
  // Property: the ratio is exact and the pair is the smallest (coprime).
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  for (let c = 1; c < 10_000; c += 37) {
    const p = c / 100;
    const [s, k] = integerWeights(p);
    t.ok(Number.isInteger(s) && Number.isInteger(k) && s >= 0 && k > 0, `integers for ${p}`);
    if (c % 100 !== 0) t.equal(gcd(s, k), 1, `${s}/${k} is reduced`);
    t.equal(Math.round((k / (s + k)) * 10_000), c, `${s}/${k} is exactly ${p}%`);
  }
});

t.test('analysis gates', async (t) => {
  t.strictSame(parseGate('success-rate>=99'), { name: 'success-rate', metric: 'success-rate', op: '>=', threshold: 99 });
  t.strictSame(parseGate('success-rate >= 99.5%'), { name: 'success-rate', metric: 'success-rate', op: '>=', threshold: 99.5 });
  t.strictSame(parseGate('p99<=500ms'), { name: 'p99', metric: 'p99', op: '<=', threshold: 500 });
  t.strictSame(parseGate('p99<=1.5s'), { name: 'p99', metric: 'p99', op: '<=', threshold: 1500 });
  t.strictSame(
    parseGate('errors:sum(rate(x{a="{{workload}}",b=~"c|d"}[{{window}}])) > 0 <=0.5'),
    {
      name: 'errors',
      metric: 'custom',
      op: '<=',
      threshold: 0.5,
      query: 'sum(rate(x{a="{{workload}}",b=~"c|d"}[{{window}}])) > 0',
    },
    'the last operator is the gate, PromQL may compare too',
  );
  for (const bad of ['success-rate>99', 'success-rate>=101', 'p99<=5%', 'latency', 'p99:foo<=1', ':q<=1']) {
    t.throws(() => parseGate(bad), UsageError, `"${bad}" is refused`);
  }
  t.throws(() => parseGates(['p99<=5ms', 'p99<=10ms']), /twice/);
  t.strictSame(parseRegressions(['1%', '100ms', '2%']), [
    { metric: 'success-rate', allowance: 2 },
    { metric: 'p99', allowance: 100 },
  ]);
  t.throws(() => parseRegressions(['1']), UsageError);
});
