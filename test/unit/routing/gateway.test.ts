import t from 'tap';
import { readHistory } from '../../../src/routing/history.js';
import { destinationRule, virtualService, workload } from '../builders.js';
import { goldenCases, initialState } from './golden-cases.js';
import { planStep, run, runAll, vsOf, writeLine } from './sim.js';

const gateway = { gateway: 'istio-system/ingressgateway', host: 'books.example.com' };
const user = virtualService('reviews', [{ name: 'default', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]);
const start = workload('reviews', ['v1', 'v2'], { vs: [user], dr: [destinationRule('reviews', ['v1', 'v2'])] });

t.test('canary --gateway binds the gateway and keeps the mesh; rollback unbinds it', async (t) => {
  const { plan, state } = run(start, { verb: 'canary', weight: 10, gateway });
  t.strictSame(writeLine(plan), ['replace VirtualService reviews']);
  t.strictSame(
    [vsOf(state)!.spec!.hosts, vsOf(state)!.spec!.gateways],
    [
      ['reviews', 'books.example.com'],
      ['mesh', 'istio-system/ingressgateway'],
    ],
  );
  t.strictSame(readHistory(vsOf(state)).at(-1)!.unbound, { hosts: ['reviews'] });
  t.strictSame(planStep(state, { verb: 'canary', weight: 10, gateway }).writes, [], 'already bound: nothing to write');
  const back = run(state, { verb: 'rollback' }).state;
  t.strictSame(vsOf(back)!.spec, user.spec, 'hosts and gateways as before, no gateways key');
});

t.test('a binding made by an earlier revision stays when rolling back to a revision after it', async (t) => {
  const s = runAll(start, [
    { verb: 'canary', weight: 10, gateway },
    { verb: 'canary', weight: 40 },
  ]);
  const back = run(s, { verb: 'rollback' }).state;
  t.strictSame(
    [vsOf(back)!.spec!.hosts, vsOf(back)!.spec!.gateways],
    [
      ['reviews', 'books.example.com'],
      ['mesh', 'istio-system/ingressgateway'],
    ],
  );
  const base = run(back, { verb: 'rollback', toRevision: 1 }).state;
  t.strictSame(vsOf(base)!.spec, user.spec);
});

t.test('a VirtualService already bound to the gateway and the mesh is not rebound', async (t) => {
  const c = goldenCases('canary').find((x) => x.name === 'gateways-bound')!;
  const { state } = run(initialState(c), {
    verb: 'canary',
    weight: 10,
    gateway: { gateway: 'istio-system/ingressgateway', host: 'books.example.com' },
  });
  t.strictSame(
    [vsOf(state)!.spec!.hosts, vsOf(state)!.spec!.gateways],
    [
      ['reviews', 'books.example.com'],
      ['istio-system/ingressgateway', 'mesh'],
    ],
  );
  t.equal(readHistory(vsOf(state)).at(-1)!.unbound, undefined);
});

t.test('binding a gateway on a gateway-only VirtualService adds the mesh too (questioned: it changes in-mesh routing)', async (t) => {
  const gwOnly = virtualService('reviews', [{ name: 'default', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], {
    hosts: ['reviews', 'books.example.com'],
    gateways: ['istio-system/ingressgateway'],
  });
  const w = workload('reviews', ['v1', 'v2'], { vs: [gwOnly], dr: [destinationRule('reviews', ['v1', 'v2'])] });
  const { state } = run(w, { verb: 'canary', weight: 10, gateway });
  t.strictSame(vsOf(state)!.spec!.gateways, ['istio-system/ingressgateway', 'mesh']);
  t.strictSame(vsOf(run(state, { verb: 'rollback' }).state)!.spec, gwOnly.spec, 'and a rollback takes it back');
});

t.test('a rollback to the baseline unbinds the gateway even after the binding revision was trimmed', async (t) => {
  let s = run(start, { verb: 'canary', weight: 1, gateway }).state;
  for (let w = 2; w <= 15; w++) s = run(s, { verb: 'canary', weight: w }).state;
  t.notOk(
    readHistory(vsOf(s)).some((r) => r.unbound),
    'the binding revision is gone',
  );
  t.strictSame(readHistory(vsOf(s))[0].binding, { hosts: ['reviews'] });
  t.strictSame(vsOf(run(s, { verb: 'rollback', toRevision: 1 }).state)!.spec, user.spec);
});

t.test("a gateway VirtualService that already has the service's name: ours gets another name instead of a failing create", async (t) => {
  const ingress = virtualService('reviews', [{ route: [{ destination: { host: 'reviews' } }] }], {
    hosts: ['books.example.com'],
    gateways: ['istio-system/ingressgateway'],
  });
  const otherDr = { ...destinationRule('reviews', []), spec: { host: 'reviews-legacy' } };
  const w = workload('reviews', ['v1', 'v2'], { vs: [ingress], dr: [otherDr] });
  const { plan, state } = run(w, { verb: 'canary', weight: 10 });
  t.strictSame(writeLine(plan), ['create DestinationRule reviews-mesh', 'create VirtualService reviews-mesh']);
  t.strictSame(state.virtualServices[0], ingress, 'the gateway VirtualService is not touched');
  t.strictSame(planStep(state, { verb: 'canary', weight: 10 }).writes, [], 'found again next time');
});
