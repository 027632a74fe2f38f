// Analysis before every write, on the real cluster with the real istioctl: IST0101 refusals, the
// readiness gate, a foreign catch-all shadowing our routes, istioctl missing, and `analyze -o json`.
import path from 'node:path';
import t from 'tap';
import { repo } from './harness.js';
import {
  applyObjects,
  createApp,
  createNamespace,
  deleteNamespace,
  errorLines,
  mesh,
  resourceVersions,
  scratchNamespace,
  setReady,
  vsOf,
  weights,
} from './support.js';

const ns = scratchNamespace('e2e-analysis');

/** PATH without any directory that holds an istioctl, and no ISTIOCTL: istioctl is "removed". */
const withoutIstioctl = (): Record<string, string | undefined> => {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => !d.includes('istio'));
  return { PATH: [path.join(repo, 'plugin'), ...dirs].join(path.delimiter), ISTIOCTL: undefined };
};

t.before(async () => {
  await createNamespace(ns);
  await createApp(ns, 'reviews', ['v1', 'v2']);
  await createApp(ns, 'gated', ['v1', 'v2']);
  await createApp(ns, 'shadowed', ['v1', 'v2']);
  await createApp(ns, 'broken', ['v1', 'v2']);
});
t.teardown(() => deleteNamespace(ns));

t.test('canary to a subset that does not exist is refused with IST0101 and writes nothing', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '20', 'reviews', '-n', ns, '--canary', 'v9']);
  t.equal(r.code, 3);
  t.match(r.stderr, /IST0101/);
  t.match(r.stderr, /v9/);
  t.equal(errorLines(r.stderr).length, 1, 'one error line');
  t.same(await resourceVersions(ns), before, 'nothing written');
  t.equal(await vsOf('reviews', ns), undefined);
});

t.test('no Ready pods on the canary: refused naming the subset; --force proceeds', async (t) => {
  await setReady(ns, 'app=gated,version=v2', false);
  const before = await resourceVersions(ns);
  const refused = await mesh(['canary', '20', 'gated', '-n', ns]);
  t.equal(refused.code, 4, refused.stderr);
  t.match(errorLines(refused.stderr)[0], /subset v2 \(0\/2 pods Ready\)/);
  t.match(refused.stderr, /--force/);
  t.same(await resourceVersions(ns), before, 'nothing written');

  const forced = await mesh(['canary', '20', 'gated', '-n', ns, '--force']);
  t.equal(forced.code, 0, forced.stderr);
  t.match(forced.stderr, /warning: .*no Ready pods/);
  t.same(weights(await vsOf('gated', ns)), { v1: 80, v2: 20 });
  await setReady(ns, 'app=gated,version=v2', true);
});

t.test('a foreign catch-all above our routes is reported by analyze (IST0130)', async (t) => {
  t.equal((await mesh(['green', 'shadowed', '-n', ns])).code, 0);
  const vs = await vsOf('shadowed', ns);
  vs.spec.http.unshift({ name: 'everything', route: [{ destination: { host: 'shadowed', subset: 'v1' } }] });
  await applyObjects([vs]);
  const r = await mesh(['analyze', 'shadowed', '-n', ns]);
  t.match(r.stdout, /IST0130\s+VirtualService .*\/shadowed/);
  t.match(r.stdout, /mesh-env-green/, 'names our header route that can never match');
  const json = await mesh(['analyze', 'shadowed', '-n', ns, '-o', 'json']);
  const findings = JSON.parse(json.stdout) as { code: string; level: string; origin: string }[];
  t.ok(findings.some((f) => f.code === 'IST0130' && f.origin === `VirtualService ${ns}/shadowed`));
  t.equal(json.code, findings.some((f) => f.level === 'Error') ? 1 : 0, 'exit code follows Error findings');

  // Writing a route that could never match would change nothing: refused unless --force.
  const before = await resourceVersions(ns);
  const refused = await mesh(['canary', '30', 'shadowed', '-n', ns]);
  t.equal(refused.code, 4, refused.stderr);
  t.match(errorLines(refused.stderr)[0], /IST0130.*nothing was written/);
  t.same(await resourceVersions(ns), before, 'nothing written');
  t.equal((await mesh(['canary', '30', 'shadowed', '-n', ns, '--force'])).code, 0, '--force writes anyway');
});

t.test('without istioctl the built-in checks still run, say istioctl was not used, and block IST0101', async (t) => {
  const before = await resourceVersions(ns);
  const unknown = await mesh(['canary', '20', 'reviews', '-n', ns, '--canary', 'v9'], { env: withoutIstioctl() });
  t.equal(unknown.code, 3, unknown.stderr);
  t.match(errorLines(unknown.stderr)[0], /IST0101/);
  t.same(await resourceVersions(ns), before, 'nothing written');

  const ok = await mesh(['canary', '10', 'broken', '-n', ns], { env: withoutIstioctl() });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stderr, /istioctl not found/, 'notice that istioctl was not used');
});

t.test("a user's own broken route is reported but does not block our change", async (t) => {
  // A user route already points at a subset no DestinationRule defines (IST0101 before we touch anything).
  const vs = await vsOf('broken', ns);
  vs.spec.http.unshift({
    name: 'legacy',
    match: [{ uri: { prefix: '/legacy' } }],
    route: [{ destination: { host: 'broken', subset: 'v7' } }],
  });
  await applyObjects([vs]);
  for (const env of [withoutIstioctl(), {}]) {
    const r = await mesh(['canary', '30', 'broken', '-n', ns, '--yes'], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /IST0101/, 'the finding is shown');
    t.match(r.stderr, /IST0101 was already there before this change; not blocking it/);
    t.equal(await mesh(['canary', '10', 'broken', '-n', ns]).then((x) => x.code), 0);
  }
  t.same(weights(await vsOf('broken', ns)), { v1: 90, v2: 10 });
  t.ok(
    (await vsOf('broken', ns)).spec.http.some((r: { name?: string }) => r.name === 'legacy'),
    'their route is kept as it is',
  );
});

t.test('analyze -A -o json is valid JSON listing every finding; exit code reflects errors', async (t) => {
  const r = await mesh(['analyze', '-A', '-o', 'json']);
  const findings = JSON.parse(r.stdout) as { code: string; level: string; origin: string; message: string }[];
  t.ok(Array.isArray(findings));
  t.ok(
    findings.some((f) => f.code === 'IST0101' && f.origin === `VirtualService ${ns}/broken` && f.level === 'Error'),
    'the broken route is listed',
  );
  t.ok(
    findings.some((f) => f.code === 'IST0130' && f.origin === `VirtualService ${ns}/shadowed`),
    'the shadowed routes are listed',
  );
  t.equal(r.code, 1, 'an Error finding makes the exit code 1');

  const clean = await mesh(['analyze', 'reviews', '-n', ns, '-o', 'json']);
  t.equal(clean.code, 0, clean.stderr);
  t.same(
    JSON.parse(clean.stdout).filter((f: { level: string }) => f.level === 'Error'),
    [],
  );
});
