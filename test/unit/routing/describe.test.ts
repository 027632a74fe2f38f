import t from 'tap';
import { describePlan } from '../../../src/routing/describe.js';
import { goldenCases, initialState } from './golden-cases.js';
import { planStep, run, runAll, type Step } from './sim.js';
import { workload } from '../builders.js';

const gateway = { gateway: 'istio-system/ingressgateway', host: 'books.example.com' };
const green: Step = { verb: 'env', env: 'green', headers: [{ name: 'x-env', type: 'exact', value: 'green' }] };

t.test('describePlan: one line per change, in write order', async (t) => {
  const s0 = initialState(goldenCases('canary').find((x) => x.name === 'retries-timeout')!);
  const canary = run(s0, { verb: 'canary', weight: 20, gateway });
  t.strictSame(describePlan(canary.plan), [
    'replace DestinationRule shop/reviews',
    '  + subset v2 (version=v2)',
    'replace VirtualService shop/reviews',
    '  ~ mesh-primary: v1 80% / v2 20% (took over your catch-all route; its other fields are kept)',
    '  ~ gateways: mesh → mesh,istio-system/ingressgateway',
    '  ~ hosts: reviews → reviews,books.example.com',
  ]);
  const promote = planStep(runAll(canary.state, [green]), { verb: 'promote' });
  t.strictSame(describePlan(promote), [
    'replace VirtualService shop/reviews',
    '  ~ mesh-primary: v1 80% / v2 20% → v2 100%',
    '  - mesh-env-green: x-env=green → v2',
  ]);
  const back = planStep(runAll(canary.state, [green]), { verb: 'rollback', toRevision: 1 });
  t.strictSame(describePlan(back), [
    'replace VirtualService shop/reviews',
    '  - mesh-env-green: x-env=green → v2',
    '  - mesh-primary: v1 80% / v2 20%',
    '  ~ gateways: mesh,istio-system/ingressgateway → mesh',
    '  ~ hosts: reviews,books.example.com → reviews',
    'replace DestinationRule shop/reviews',
    '  - subset v2',
  ]);
});

t.test('describePlan: HPAs and deletions', async (t) => {
  const p = planStep(runAll(workload(), [{ verb: 'canary', weight: 20, scaleHpa: true }]), { verb: 'rollback' });
  t.strictSame(describePlan(p), [
    'replace HorizontalPodAutoscaler shop/reviews-v1',
    '  ~ replicas 2..8 → 2..10',
    'replace HorizontalPodAutoscaler shop/reviews-v2',
    '  ~ replicas 1..2 → 2..10',
    'delete VirtualService shop/reviews',
    'delete DestinationRule shop/reviews',
  ]);
});
