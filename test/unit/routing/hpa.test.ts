import t from 'tap';
import { HPA_BASELINE_ANNOTATION } from '../../../src/model/names.js';
import { scaledReplicas, scaleToWeights } from '../../../src/routing/hpa.js';
import { hpa, workload } from '../builders.js';
import { planStep, run, writeLine } from './sim.js';

const replicas = (hs: { metadata: { name: string }; spec?: { minReplicas?: number; maxReplicas?: number } }[]) =>
  hs.map((h) => [h.metadata.name, h.spec?.minReplicas, h.spec?.maxReplicas]);

t.test('scaledReplicas: proportional to the weight, rounded up, never below one', async (t) => {
  const table: [number, number, number, [number, number]][] = [
    [2, 10, 100, [2, 10]],
    [2, 10, 80, [2, 8]],
    [2, 10, 50, [1, 5]],
    [2, 10, 20, [1, 2]],
    [2, 10, 1, [1, 1]],
    [2, 10, 0, [1, 1]],
    [3, 7, 33, [1, 3]],
    [4, 4, 50, [2, 2]],
    [1, 20, 15, [1, 3]],
  ];
  for (const [min, max, weight, [wmin, wmax]] of table) {
    t.strictSame(scaledReplicas({ min, max }, weight), { min: wmin, max: wmax }, `${min}..${max} at ${weight}%`);
  }
});

t.test('canary --scale-hpa: HPAs that shrink are written after the routes', async (t) => {
  const { plan, state } = run(workload(), { verb: 'canary', weight: 20, scaleHpa: true });
  t.strictSame(writeLine(plan), [
    'create DestinationRule reviews',
    'create VirtualService reviews',
    'replace HorizontalPodAutoscaler reviews-v1',
    'replace HorizontalPodAutoscaler reviews-v2',
  ]);
  t.strictSame(replicas(state.hpas), [
    ['reviews-v1', 2, 8],
    ['reviews-v2', 1, 2],
  ]);
  t.strictSame(
    state.hpas.map((h) => h.metadata.annotations),
    [{ [HPA_BASELINE_ANNOTATION]: '{"min":2,"max":10}' }, { [HPA_BASELINE_ANNOTATION]: '{"min":2,"max":10}' }],
  );
  // Moving on: the canary's HPA grows before the routes send it more, stable's shrinks after.
  const next = run(state, { verb: 'canary', weight: 60, scaleHpa: true });
  t.strictSame(writeLine(next.plan), [
    'replace HorizontalPodAutoscaler reviews-v2',
    'replace VirtualService reviews',
    'replace HorizontalPodAutoscaler reviews-v1',
  ]);
  t.strictSame(
    replicas(next.state.hpas),
    [
      ['reviews-v1', 1, 4],
      ['reviews-v2', 2, 6],
    ],
    'scaled from the recorded baseline, not the scaled values',
  );
  t.strictSame(planStep(next.state, { verb: 'canary', weight: 60, scaleHpa: true }).writes, [], 'same weights: nothing to write');
});

t.test('without --scale-hpa HPAs are left alone', async (t) => {
  const { plan } = run(workload(), { verb: 'canary', weight: 20 });
  t.strictSame(writeLine(plan), ['create DestinationRule reviews', 'create VirtualService reviews']);
});

t.test("scaleToWeights: only HPAs that target a version's Deployment; a broken baseline is re-recorded", async (t) => {
  const w = workload();
  const other = { ...hpa('ratings', 'v1'), metadata: { name: 'ratings-v1', namespace: 'shop' } };
  const broken = { ...w.hpas[0], metadata: { ...w.hpas[0].metadata, annotations: { [HPA_BASELINE_ANNOTATION]: 'not json' } } };
  const versions = [
    { value: 'v1', subset: 'v1', labels: { version: 'v1' }, deployment: 'reviews-v1' },
    { value: 'v2', subset: 'v2', labels: { version: 'v2' }, deployment: 'reviews-v2' },
  ];
  const out = scaleToWeights([other, broken], versions, [
    { subset: 'v1', weight: 50 },
    { subset: 'v2', weight: 50 },
  ]);
  t.strictSame(
    out.map(([, a]) => [a.metadata.name, a.spec!.minReplicas, a.spec!.maxReplicas, a.metadata.annotations]),
    [['reviews-v1', 1, 5, { [HPA_BASELINE_ANNOTATION]: '{"min":2,"max":10}' }]],
  );
});

t.test('rollback to a revision before scaling restores the baselines, growing before the routes move', async (t) => {
  const scaled = run(run(workload(), { verb: 'canary', weight: 10 }).state, { verb: 'canary', weight: 90, scaleHpa: true }).state;
  t.strictSame(replicas(scaled.hpas), [
    ['reviews-v1', 1, 1],
    ['reviews-v2', 2, 9],
  ]);
  const { plan, state } = run(scaled, { verb: 'rollback' });
  t.strictSame(writeLine(plan), [
    'replace HorizontalPodAutoscaler reviews-v1',
    'replace HorizontalPodAutoscaler reviews-v2',
    'replace VirtualService reviews',
  ]);
  t.strictSame(state.hpas, workload().hpas);
});

t.test('an HPA we scaled whose version leaves the split gets its baseline back', async (t) => {
  const s = run(workload('reviews', ['v1', 'v2', 'v3']), { verb: 'canary', weight: 20, scaleHpa: true, stable: 'v1', canary: 'v2' }).state;
  const { plan, state } = run(s, { verb: 'canary', weight: 10, scaleHpa: true, stable: 'v1', canary: 'v3' });
  t.strictSame(replicas(state.hpas), [
    ['reviews-v1', 2, 9],
    ['reviews-v2', 2, 10],
    ['reviews-v3', 1, 1],
  ]);
  t.equal(state.hpas[1].metadata.annotations, undefined, 'v2 is no longer managed');
  t.strictSame(writeLine(plan), [
    'replace DestinationRule reviews',
    'replace HorizontalPodAutoscaler reviews-v1',
    'replace HorizontalPodAutoscaler reviews-v2',
    'replace VirtualService reviews',
    'replace HorizontalPodAutoscaler reviews-v3',
  ]);
  // And a rollback puts all three back as they were at the previous revision.
  t.strictSame(run(state, { verb: 'rollback' }).state.hpas, s.hpas);
});
