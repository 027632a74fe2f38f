// Offline / GitOps: -f FILE|DIR works with no cluster at all (KUBECONFIG names a missing file). It prints
// the DestinationRule and VirtualService; --in-place rewrites the files, keeping comments, key order and
// every untouched byte. Needs no cluster, so it also runs where none can be started.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { mesh, repo } from './harness.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-e2e-offline-'));
const noCluster = { KUBECONFIG: path.join(dir, 'no-such-kubeconfig'), HOME: dir };
const demo = path.join(repo, 'manifests/demo');
const docs = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter(Boolean);
const read = (f: string) => readFileSync(f, 'utf8');
t.teardown(() => {
  rmSync(dir, { recursive: true, force: true });
});

t.test('canary -f manifests/demo with no cluster prints the DestinationRule and the VirtualService', async (t) => {
  const r = await mesh(['canary', '20', 'reviews', '-f', 'manifests/demo'], { env: noCluster });
  t.equal(r.code, 0, r.stderr);
  const [dr, vs, ...rest] = docs(r.stdout);
  t.equal(rest.length, 0, 'two documents');
  t.match(dr, {
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: 'shop' },
    spec: { host: 'reviews.shop.svc.cluster.local' },
  });
  t.same(
    dr.spec.subsets.map((s: any) => s.name),
    ['v1', 'v2'],
  );
  t.match(vs, {
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'shop' },
    spec: { hosts: ['reviews.shop.svc.cluster.local'] },
  });
  t.same(
    vs.spec.http[0].route.map((d: any) => [d.destination.subset, d.weight]),
    [
      ['v1', 80],
      ['v2', 20],
    ],
  );
  t.match(r.stderr, /offline: printed, nothing written/);
  t.notMatch(r.stderr, /error/i);
  const json = await mesh(['canary', '20', 'reviews', '-f', 'manifests/demo', '-o', 'json'], { env: noCluster });
  t.equal(json.code, 0, json.stderr);
  t.same(
    JSON.parse(json.stdout).items.map((o: any) => o.kind),
    ['DestinationRule', 'VirtualService'],
  );
  const user = await mesh(['canary', '20', 'ratings', '-f', demo, '--stable', 'v1', '--canary', 'v3'], { env: noCluster });
  t.equal(user.code, 0, user.stderr);
  const [rvs] = docs(user.stdout);
  t.same(
    rvs.spec.http.map((h: any) => h.name),
    ['user-retries', 'mesh-primary'],
    "the user's route kept, the catch-all adopted",
  );
  t.same(rvs.spec.http[1].retries, { attempts: 3, perTryTimeout: '2s' });
  const missing = await mesh(['canary', '20', 'reviews', '-f', path.join(dir, 'nope')], { env: noCluster });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /^error: -f .*nope: no such file or directory/m);
});

t.test('--in-place keeps comments, key order and untouched bytes', async (t) => {
  const copy = path.join(dir, 'demo');
  cpSync(demo, copy, { recursive: true });
  // Comments everywhere: above documents, on keys, at line ends, in lists.
  const vsFile = path.join(copy, '50-virtualservices.yaml');
  const vsText = read(vsFile)
    .replace('  hosts:\n', '  hosts: # who we answer for\n')
    .replace('    - name: user-retries\n', '    # the admin path keeps its own retries\n    - name: user-retries\n')
    .replace('      timeout: 10s\n', '      timeout: 10s # agreed with the ratings team\n');
  writeFileSync(vsFile, vsText);
  const svcFile = path.join(copy, '10-services.yaml');
  const svcText = `# Services of the demo shop\n${read(svcFile).replace('  selector:\n    app: reviews\n', '  selector: # pods of every version\n    app: reviews\n')}`;
  writeFileSync(svcFile, svcText);
  const untouched = ['00-namespace.yaml', '20-deployments.yaml', '30-hpas.yaml', '40-destinationrules.yaml'].map((f) => [
    f,
    read(path.join(copy, f)),
  ]);

  const r = await mesh(['canary', '20', 'ratings', '-f', copy, '--in-place', '--stable', 'v1', '--canary', 'v2'], { env: noCluster });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.includes('apiVersion'), false, 'nothing printed as YAML: the files are the output');
  const after = read(vsFile);
  for (const c of [
    '# A user-written VirtualService.',
    '# (the named route, retries, timeouts)',
    '# who we answer for',
    '# the admin path keeps its own retries',
    '# agreed with the ratings team',
  ]) {
    t.ok(after.includes(c), `comment kept: ${c}`);
  }
  // The user's route is byte-for-byte the same text block, comment included.
  const block = vsText.slice(vsText.indexOf('    # the admin path'), vsText.indexOf('    - route:'));
  t.ok(after.includes(block), 'the user-retries route: same bytes');
  t.ok(after.startsWith(vsText.slice(0, vsText.indexOf('metadata:'))), 'leading comments, apiVersion and kind: same bytes');
  t.ok(after.includes('metadata:\n  name: ratings\n  namespace: shop\n'), 'metadata keys in their order');
  const [vs] = docs(after);
  t.same(Object.keys(vs.spec), ['hosts', 'http'], 'spec key order');
  t.same(
    vs.spec.http.map((h: any) => h.name),
    ['user-retries', 'mesh-primary'],
  );
  t.same(
    vs.spec.http[1].route.map((d: any) => [d.destination.subset, d.weight]),
    [
      ['v1', 80],
      ['v2', 20],
    ],
  );
  t.same(vs.spec.http[1].retries, { attempts: 3, perTryTimeout: '2s' });
  t.equal(vs.spec.http[1].timeout, '10s');
  t.ok(vs.metadata.annotations['kubectl-mesh.io/history'], 'history recorded in the file');
  for (const [f, text] of untouched) t.equal(read(path.join(copy, f)), text, `${f}: not touched`);
  t.equal(read(svcFile), svcText, '10-services.yaml: not touched by a ratings change');

  // A service without routing: the new objects go next to its Service; the rest of that file stays.
  const c = await mesh(['canary', '20', 'reviews', '-f', copy, '--in-place'], { env: noCluster });
  t.equal(c.code, 0, c.stderr);
  const svcAfter = read(svcFile);
  t.ok(svcAfter.startsWith(svcText), '10-services.yaml: the original text is an unchanged prefix');
  const added = docs(svcAfter.slice(svcText.length));
  t.same(
    added.map((o: any) => o.kind),
    ['DestinationRule', 'VirtualService'],
  );
  t.equal(svcAfter.split('\n').filter((l) => l === '---').length, 3, 'one separator per document: no empty documents');

  // Again, with another weight: only the VirtualService document changes; then the same weight: nothing.
  const again = await mesh(['canary', '40', 'reviews', '-f', copy, '--in-place'], { env: noCluster });
  t.equal(again.code, 0, again.stderr);
  const svcAgain = read(svcFile);
  t.ok(svcAgain.startsWith(svcText), 'still an unchanged prefix');
  t.equal(svcAgain.split('\n').filter((l) => l === '---').length, 3, 'still three separators');
  t.same(
    docs(svcAgain)
      .at(-1)
      .spec.http[0].route.map((d: any) => d.weight),
    [60, 40],
  );
  const same = await mesh(['canary', '40', 'reviews', '-f', copy, '--in-place'], { env: noCluster });
  t.equal(same.code, 0, same.stderr);
  t.match(same.stdout, /unchanged/);
  t.equal(read(svcFile), svcAgain, 'the same weight again: the file is not rewritten');
});

t.test('--dry-run=client with -f --in-place leaves the files alone', async (t) => {
  const copy = path.join(dir, 'dry');
  cpSync(demo, copy, { recursive: true });
  const before = read(path.join(copy, '50-virtualservices.yaml'));
  const r = await mesh(['canary', '20', 'ratings', '-f', copy, '--in-place', '--stable', 'v1', '--canary', 'v2', '--dry-run=client'], {
    env: noCluster,
  });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /kind: VirtualService/);
  t.equal(read(path.join(copy, '50-virtualservices.yaml')), before);
});

t.test('a bad --request-timeout is refused offline too, before anything is read or written', async (t) => {
  const copy = path.join(dir, 'timeout');
  cpSync(demo, copy, { recursive: true });
  const snapshot = () => readdirSync(copy).map((f) => [f, read(path.join(copy, f))]);
  const before = snapshot();
  const bad = await mesh(['canary', '20', 'reviews', '-f', copy, '--in-place', '--request-timeout', '5q'], { env: noCluster });
  t.equal(bad.code, 2, 'usage error');
  t.equal(bad.stdout, '');
  t.match(bad.stderr, /^error: invalid value "5q" for --request-timeout \(use a whole number of seconds/);
  t.equal(bad.stderr.trimEnd().split('\n').length, 1, 'one line');
  t.same(snapshot(), before, 'no file written or changed');
  const fine = await mesh(['canary', '20', 'reviews', '-f', copy, '--request-timeout', '1m30s'], { env: noCluster });
  t.equal(fine.code, 0, fine.stderr);
});

t.test('env list -f shows readiness as unknown (-): files hold no pods', async (t) => {
  const copy = path.join(dir, 'env');
  cpSync(demo, copy, { recursive: true });
  const created = await mesh(['env', 'uat', 'reviews', '--header', 'x-env=uat', '-f', copy, '--in-place'], { env: noCluster });
  t.equal(created.code, 0, created.stderr);
  const table = await mesh(['env', 'list', '-f', copy], { env: noCluster });
  t.equal(table.code, 0, table.stderr);
  const [head, row] = table.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
  t.same([head[4], row.slice(0, 5)], ['READY', ['uat', 'shop/reviews', 'x-env=uat', 'v2', '-']]);
  const json = await mesh(['env', 'list', '-f', copy, '-o', 'json'], { env: noCluster });
  t.equal(json.code, 0, json.stderr);
  const [service] = JSON.parse(json.stdout)[0].services;
  t.same(service, { namespace: 'shop', service: 'reviews', headers: 'x-env=uat', subset: 'v2' }, 'no ready or pods counts');
});
