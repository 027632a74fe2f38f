// Optimistic concurrency on the real API server: the resourceVersion we read travels with every write,
// so a write that lost a race gets 409, and the command re-reads and re-plans. Two canary runs started
// together end in exactly one of the two requested states with both recorded; a user's edit made while
// kubectl mesh runs is never lost. Each case loops so that the processes overlap, but what is asserted
// holds whichever way a round's timing falls (whether a write lost a race is only reported): the
// retry on 409 itself is tested deterministically in test/unit/commands/change.test.ts.
import t from 'tap';
import { createApp, createNamespace, deleteNamespace, historyOf, kubectl, mesh, scratchNamespace, vsOf, weights } from './support.js';

const ns = scratchNamespace('e2e-race');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2']);
  await createApp(ns, 'ratings', ['v1', 'v2']);
});
t.teardown(() => deleteNamespace(ns));

t.test('two canary runs at once: exactly one of the two states, both recorded in order', async (t) => {
  let retried = 0;
  // Round 1 starts with no VirtualService: both POST, one gets 409 AlreadyExists and must re-read.
  for (let round = 1; round <= 6; round++) {
    const a = 10 + round; // e.g. 11 and 71: every round differs from the last
    const b = 70 + round;
    const [ra, rb] = await Promise.all([
      mesh(['canary', String(a), 'reviews', '-n', ns]),
      mesh(['canary', String(b), 'reviews', '-n', ns]),
    ]);
    t.equal(ra.code, 0, `round ${round}: canary ${a}: ${ra.stderr}`);
    t.equal(rb.code, 0, `round ${round}: canary ${b}: ${rb.stderr}`);
    retried += [ra, rb].filter((r) => /re-reading/.test(r.stderr)).length;
    const vs = await vsOf('reviews', ns);
    const w = weights(vs);
    const states = [
      { v1: 100 - a, v2: a },
      { v1: 100 - b, v2: b },
    ];
    t.ok(
      states.some((s) => JSON.stringify(s) === JSON.stringify(w)),
      `round ${round}: ${JSON.stringify(w)} is one of the requested states`,
    );
    const last = historyOf(vs)
      .slice(-2)
      .map((h: any) => h.change);
    t.same(
      [...last].sort(),
      [`canary ${a}%: v1 ${100 - a}% / v2 ${a}%`, `canary ${b}%: v1 ${100 - b}% / v2 ${b}%`].sort(),
      `round ${round}: both changes recorded (no lost update)`,
    );
    t.match(last[1], `canary ${w.v2}%`, `round ${round}: the last recorded change is the one in force`);
  }
  t.comment(`${retried} of 12 runs lost a race and re-read`);
});

t.test('a user route added while kubectl mesh runs is not lost', async (t) => {
  t.equal((await mesh(['canary', '10', 'ratings', '-n', ns])).code, 0);
  let retried = 0;
  const added: string[] = [];
  for (let round = 1; round <= 8; round++) {
    const name = `user-${round}`;
    const route = {
      name,
      match: [{ uri: { prefix: `/u${round}` } }],
      route: [{ destination: { host: `ratings.${ns}.svc.cluster.local`, subset: 'v1' } }],
    };
    const patch = JSON.stringify([{ op: 'add', path: '/spec/http/0', value: route }]);
    const weight = 20 + round;
    // mesh reads, analyses (istioctl, a few hundred ms), then writes: the patch lands in between.
    const [m, p] = await Promise.all([
      mesh(['canary', String(weight), 'ratings', '-n', ns]),
      sleep(250 + round * 60).then(() => kubectl(['patch', 'virtualservice', 'ratings', '-n', ns, '--type=json', '-p', patch])),
    ]);
    t.equal(m.code, 0, `round ${round}: ${m.stderr}`);
    t.equal(p.code, 0, `round ${round}: patch: ${p.stderr}`);
    if (/re-reading/.test(m.stderr)) retried++;
    added.push(name);
    const vs = await vsOf('ratings', ns);
    const names = vs.spec.http.map((r: any) => r.name);
    for (const n of added) t.ok(names.includes(n), `round ${round}: ${n} still there`);
    t.same(weights(vs), { v1: 100 - weight, v2: weight }, `round ${round}: our change is in force too`);
    t.equal(names.at(-1), 'mesh-primary', 'the catch-all stays last');
  }
  t.comment(`${retried} of 8 runs hit the concurrent edit and re-read`);
});
