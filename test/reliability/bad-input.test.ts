// Bad input, as a careless or hostile user gives it: each case asserts the exit code, exactly one line
// naming the problem, and that nothing changed (the namespace's resourceVersions, and every byte of
// the scratch files by hash). Live cases run in this file's namespace; offline ones on real files.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import {
  applyObjects,
  createApp,
  createNamespace,
  deleteNamespace,
  hashTree,
  kubectl,
  mesh,
  must,
  repo,
  resourceVersions,
  scratchNamespace,
  singleErrorLine,
  Tally,
} from './support.js';

const ns = scratchNamespace('rel-bad');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-rel-bad-'));
const demo = path.join(dir, 'demo');
// Not hashed before and after every case (40 MiB): checked once at the end.
const hugeDir = mkdtempSync(path.join(os.tmpdir(), 'mesh-rel-huge-'));
const f = (name: string, text: string): string => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

const vsYaml = (spec: string, meta = '') =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: shop}\nspec: {selector: {app: reviews}, ports: [{port: 9080}]}\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n  namespace: shop\n${meta}spec:\n${spec}`;
const ESC = '\u001b';

interface Case {
  category: 'argument' | 'flag' | 'header' | 'file' | 'yaml-shape' | 'annotation';
  args: string[];
  code: number;
  /** What the one line says. */
  message: RegExp;
  /** Offline (-f) cases run without -n; live ones get -n <this file's namespace>. */
  offline?: boolean;
  /** A warning case: exit 0 with one warning line (on stderr, or stdout for status). */
  warning?: 'stderr' | 'stdout';
}

function cases(): Case[] {
  const live = (category: Case['category'], args: string[], code: number, message: RegExp): Case => ({ category, args, code, message });
  const off = (category: Case['category'], args: string[], code: number, message: RegExp): Case => ({
    category,
    args,
    code,
    message,
    offline: true,
  });
  mkdirSync(path.join(dir, 'with-dir', 'x.yaml'), { recursive: true });
  symlinkSync(path.join(dir, 'nowhere.yaml'), path.join(dir, 'dangling.yaml'));
  symlinkSync(path.join(dir, 'loop-b.yaml'), path.join(dir, 'loop-a.yaml'));
  symlinkSync(path.join(dir, 'loop-a.yaml'), path.join(dir, 'loop-b.yaml'));
  execFileSync('mkfifo', [path.join(dir, 'fifo.yaml')]);
  const huge = path.join(hugeDir, 'huge.yaml');
  writeFileSync(huge, '');
  truncateSync(huge, 40 * 1024 * 1024); // sparse: 40 MiB without using the disk
  const readOnly = path.join(dir, 'ro');
  cpSync(demo, readOnly, { recursive: true });
  chmodSync(path.join(readOnly, '10-services.yaml'), 0o444);
  const twice = path.join(dir, 'twice');
  cpSync(demo, twice, { recursive: true });
  cpSync(path.join(demo, '10-services.yaml'), path.join(twice, '11-services-copy.yaml'));
  let laughs = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
  for (const [i, c] of Array.from('bcdefghi').entries()) laughs += `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]\n`;
  f(
    'alias/vs.yaml',
    vsYaml(
      '  hosts: [reviews]\n  http:\n    - name: copy\n      match: [{uri: {prefix: /x}}]\n      route: [&d {destination: {host: reviews, subset: v1}}]\n    - name: mesh-primary\n      route: [*d]\n',
    ),
  );
  cpSync(path.join(demo, '20-deployments.yaml'), path.join(dir, 'alias', '20-deployments.yaml'));

  return [
    // ---- arguments ----
    live('argument', ['canary', '2.555', 'reviews'], 2, /weight "2\.555" is not a percentage from 0 to 100 with at most two decimals/),
    live('argument', ['canary', 'abc', 'reviews'], 2, /weight "abc" is not a percentage/),
    live('argument', ['canary', '101', 'reviews'], 2, /weight "101" is not a percentage from 0 to 100/),
    live('argument', ['canary', '-5', 'reviews'], 2, /weight "-5" is not a percentage/),
    live('argument', ['canary', '1e1', 'reviews'], 2, /weight "1e1" is not a percentage/),
    live('argument', ['canary'], 2, /missing WEIGHT/),
    live('argument', ['canary', '20'], 2, /missing SERVICE/),
    live('argument', ['canary', '20', 'reviews', 'ratings'], 2, /unexpected argument "ratings"/),
    live('argument', ['canary', '20', 'Reviews_1'], 2, /"Reviews_1" is not a valid service name/),
    live('argument', ['canary', '20', 'nope'], 3, /service "nope" not found/),
    live('argument', ['promote', 'nope'], 3, /service "nope" not found/),
    live('argument', ['history', 'nope'], 3, /service "nope" not found/),
    live('argument', ['rollback', 'reviews', '--to-revision', '99'], 3, /revision 99/),
    live('argument', ['rollback', 'reviews', '--to-revision', 'abc'], 2, /--to-revision/),
    live('argument', ['frobnicate'], 2, /unknown command "frobnicate"/),
    live('argument', ['status', 'reviews', '-A'], 2, /SERVICE and -A do not go together/),
    live('argument', ['env', 'UAT', 'reviews', '--header', 'x-env=uat'], 2, /environment name "UAT" is invalid/),
    // ---- flags ----
    live('flag', ['canary', '20', 'reviews', '--wieght', '3'], 2, /unknown flag --wieght/),
    live('flag', ['canary', '20', 'reviews', '--dry-run=maybe'], 2, /invalid value "maybe" for --dry-run/),
    live('flag', ['canary', '20', 'reviews', '-o', 'xml'], 2, /invalid value "xml" for --output/),
    live('flag', ['status', '--watch=sometimes'], 2, /expected true or false/),
    live('flag', ['status', '-v=abc'], 2, /invalid value "abc" for -v/),
    {
      category: 'flag',
      args: ['status', '-n', '../x'],
      code: 2,
      message: /--namespace "\.\.\/x" is not a valid namespace name/,
      offline: true,
    },
    {
      category: 'flag',
      args: ['status', '-n', '..%2Fshop'],
      code: 2,
      message: /--namespace "\.\.%2Fshop" is not a valid namespace name/,
      offline: true,
    },
    live('flag', ['canary', '20', 'reviews', '--version-label', ''], 2, /--version-label "" is not a valid label key/),
    live('flag', ['canary', '20', 'reviews', '--in-place'], 2, /--in-place needs -f FILE\|DIR/),
    live('flag', ['canary', '20', 'reviews', '--gateway', 'istio-system/ingress'], 2, /--gateway and --host go together/),
    live(
      'flag',
      ['canary', '20', 'reviews', '--gateway', 'a/b/c', '--host', 'x.example.com'],
      2,
      /--gateway "a\/b\/c" is not NAME or NAMESPACE\/NAME/,
    ),
    live('flag', ['canary', '20', 'reviews', '--stable', 'v1', '--canary', 'v1'], 2, /--stable and --canary both name v1/),
    live('flag', ['canary', '20', 'reviews', '--canary', 'v9'], 3, /subset "v9" does not exist/),
    live('flag', ['status', '--kubeconfig', path.join(dir, 'no-kubeconfig')], 2, /kubeconfig/),
    // ---- headers ----
    live('header', ['green', 'reviews', '--header', 'x-env'], 2, /header "x-env" is not name=value/),
    live('header', ['green', 'reviews', '--header', '=green'], 2, /header "=green" is not name=value/),
    live('header', ['green', 'reviews', '--header', 'x env=green'], 2, /header name "x env" is not an HTTP token/),
    live('header', ['green', 'reviews', '--header', ':authority=x'], 2, /header name ":authority"/),
    live('header', ['green', 'reviews', '--header', 'x-env='], 2, /header "x-env" has an empty value/),
    live('header', ['green', 'reviews', '--header', 'x-env=a\rb'], 2, /header x-env value contains a control character \(\\r\)/),
    live('header', ['green', 'reviews', '--header', 'x-env=a\nb'], 2, /header x-env value contains a control character \(\\n\)/),
    live(
      'header',
      ['green', 'reviews', '--header', `x-env=${ESC}[31mred`],
      2,
      /header x-env value contains a control character \(\\u001b\)/,
    ),
    live('header', ['green', 'reviews', '--header', 'x-env=a(?=b)', '--match', 'regex'], 2, /uses lookaround or backreferences/),
    live('header', ['green', 'reviews', '--header', 'x-env=(uat', '--match', 'regex'], 2, /invalid regex for header x-env/),
    live('header', ['green', 'reviews', '--header', 'x-env=a', '--match', 'fuzzy'], 2, /invalid value "fuzzy" for --match/),
    // ---- files ----
    off('file', ['canary', '20', 'reviews', '-f', path.join(dir, 'missing.yaml')], 2, /missing\.yaml: no such file or directory/),
    off('file', ['canary', '20', 'reviews', '-f', path.join(dir, 'fifo.yaml')], 2, /fifo\.yaml: a named pipe \(FIFO\), not a regular file/),
    off('file', ['canary', '20', 'reviews', '-f', '/dev/zero'], 2, /\/dev\/zero: a character device, not a regular file/),
    off('file', ['canary', '20', 'reviews', '-f', '/dev/urandom'], 2, /\/dev\/urandom: a character device, not a regular file/),
    off('file', ['canary', '20', 'reviews', '-f', path.join(dir, 'dangling.yaml')], 2, /dangling\.yaml: dangling symbolic link/),
    off('file', ['canary', '20', 'reviews', '-f', path.join(dir, 'loop-a.yaml')], 2, /loop-a\.yaml: too many levels of symbolic links/),
    off('file', ['canary', '20', 'reviews', '-f', path.join(dir, 'with-dir')], 2, /x\.yaml: a directory, not a regular file/),
    off('file', ['canary', '20', 'reviews', '-f', huge], 2, /huge\.yaml: 41943040 bytes is larger than the 32 MiB limit/),
    off('file', ['canary', '20', 'reviews', '-f', ''], 2, /-f needs a file or directory name/),
    off('file', ['canary', '20', 'reviews', '-f', f('invalid.yaml', 'a: [1\n')], 2, /invalid\.yaml: invalid YAML/),
    off(
      'file',
      ['canary', '20', 'reviews', '-f', f('dup.yaml', 'kind: Service\nmetadata: {name: reviews}\nmetadata: {name: other}\n')],
      2,
      /dup\.yaml: duplicate key "metadata" \(line 3\)/,
    ),
    off(
      'file',
      ['canary', '20', 'reviews', '-f', twice],
      5,
      /Service shop\/reviews is defined twice: in .*10-services\.yaml and in .*11-services-copy\.yaml/,
    ),
    off(
      'file',
      ['canary', '20', 'reviews', '-f', readOnly, '--in-place'],
      4,
      /10-services\.yaml is read-only \(mode 0444\); nothing was changed/,
    ),
    off('file', ['canary', '20', 'reviews', '-f', f('laughs.yaml', laughs)], 2, /laughs\.yaml: more than 10000 YAML alias expansions/),
    off(
      'file',
      ['canary', '20', 'reviews', '-f', path.join(dir, 'alias'), '--in-place'],
      2,
      /uses a YAML alias \(\*name\) where the change has to edit it/,
    ),
    off('file', ['analyze', '-f', path.join(dir, 'fifo.yaml')], 2, /fifo\.yaml: a named pipe/),
    // ---- YAML shapes ----
    off(
      'yaml-shape',
      ['canary', '20', 'reviews', '-f', f('s1.yaml', vsYaml('  hosts: [reviews]\n  http: "str"\n'))],
      2,
      /s1\.yaml: VirtualService shop\/reviews: spec\.http must be a list \(is a string\)/,
    ),
    off(
      'yaml-shape',
      ['canary', '20', 'reviews', '-f', f('s2.yaml', vsYaml('  hosts: str\n'))],
      2,
      /s2\.yaml: VirtualService shop\/reviews: spec\.hosts must be a list \(is a string\)/,
    ),
    off(
      'yaml-shape',
      ['canary', '20', 'reviews', '-f', f('s3.yaml', vsYaml('  hosts: [reviews]\n  http: [42, null]\n'))],
      2,
      /s3\.yaml: VirtualService shop\/reviews: spec\.http\[0\] must be a map \(is a number\)/,
    ),
    off(
      'yaml-shape',
      [
        'canary',
        '20',
        'reviews',
        '-f',
        f('s4.yaml', vsYaml('  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews}, weight: "abc"}]}]\n')),
      ],
      2,
      /spec\.http\[0\]\.route\[0\]\.weight must be an integer \(is a string\)/,
    ),
    off(
      'yaml-shape',
      ['canary', '20', 'reviews', '-f', f('s5.yaml', vsYaml('  hosts: [reviews]\n', '  annotations: {kubectl-mesh.io/history: [1]}\n'))],
      2,
      /metadata\.annotations\.kubectl-mesh\.io\/history must be a string \(is a list\)/,
    ),
    off(
      'yaml-shape',
      [
        'canary',
        '20',
        'reviews',
        '-f',
        f(
          's6.yaml',
          'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews, subsets: [{labels: {version: v1}}]}\n',
        ),
      ],
      2,
      /s6\.yaml: DestinationRule reviews: spec\.subsets\[0\]\.name must be a string/,
    ),
    off(
      'yaml-shape',
      ['canary', '20', 'reviews', '-f', f('s7.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {labels: {app: reviews}}\n')],
      2,
      /s7\.yaml: a Service without metadata\.name/,
    ),
    off(
      'yaml-shape',
      ['canary', '20', 'reviews', '-f', f('s8.yaml', vsYaml('  hosts: [reviews]\n  http: [{route: [{destination: reviews}]}]\n'))],
      2,
      /spec\.http\[0\]\.route\[0\]\.destination must be a map \(is a string\)/,
    ),
    // ---- annotations and labels we read (live) ----
    live(
      'annotation',
      ['canary', '20', 'argo'],
      5,
      /DestinationRule .*\/argo is managed by Argo Rollouts \(annotation argo-rollouts\.argoproj\.io\/managed-by-rollouts=argo\).*nothing was written/,
    ),
    live(
      'annotation',
      ['canary', '20', 'flagger'],
      5,
      /VirtualService .*\/flagger is managed by Flagger \(ownerReference to Canary .*\/flagger\)/,
    ),
    live(
      'annotation',
      ['green', 'kiali', '--header', 'x-env=green'],
      5,
      /VirtualService .*\/kiali is managed by a Kiali wizard \(label kiali_wizard=traffic_shifting\)/,
    ),
    live('annotation', ['rollback', 'flagger'], 5, /is managed by Flagger/),
    {
      category: 'annotation',
      args: ['history', 'hist'],
      code: 0,
      message:
        /^warning: VirtualService .*\/hist: 1 of 3 entries of annotation kubectl-mesh\.io\/history have the wrong shape and are skipped/,
      warning: 'stderr',
    },
    {
      category: 'annotation',
      args: ['status'],
      code: 0,
      message: /! VirtualService .*\/hist: 1 of 3 entries of annotation kubectl-mesh\.io\/history have the wrong shape/,
      warning: 'stdout',
    },
  ];
}

const history = (entries: unknown[]) => JSON.stringify(entries);
const entry = (revision: number, change: string) => ({
  revision,
  at: '2026-11-27T10:00:00.000Z',
  user: 'alice',
  change,
  routes: [{ name: 'mesh-primary', route: [{ destination: { host: 'hist', subset: 'v1' }, weight: 100 }] }],
  subsets: [{ name: 'v1', labels: { version: 'v1' } }],
  roles: { stable: 'v1' },
});
const vs = (name: string, metadata: object) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace: ns, ...metadata },
  spec: {
    hosts: [name],
    http: [
      { name: 'user-route', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: name } }] },
      { route: [{ destination: { host: name } }] },
    ],
  },
});

t.before(async () => {
  cpSync(path.join(repo, 'manifests/demo'), demo, { recursive: true });
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  for (const app of ['reviews', 'argo', 'flagger', 'kiali', 'hist']) await createApp(ns, app, ['v1', 'v2'], { replicas: 1, hpa: false });
  await applyObjects([
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'argo', namespace: ns, annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'argo' } },
      spec: { host: 'argo', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
    },
    vs('flagger', {
      ownerReferences: [
        { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'flagger', uid: '6f1e2b1c-0000-4000-8000-000000000001' },
      ],
    }),
    vs('kiali', { labels: { kiali_wizard: 'traffic_shifting' } }),
    vs('hist', {
      annotations: {
        'kubectl-mesh.io/history': history([
          entry(1, 'before kubectl-mesh'),
          { revision: 2 },
          entry(3, `canary ${ESC}]0;owned${ESC}\\ ${ESC}[2J`),
        ]),
      },
    }),
  ]);
  await must(mesh(['canary', '10', 'reviews', '-n', ns]), 'first canary');
});
t.teardown(async () => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(hugeDir, { recursive: true, force: true });
  await deleteNamespace(ns);
});

t.test('bad input: exit code, one line naming the problem, nothing changed', async (t) => {
  const tally = new Tally(t);
  const table = cases();
  t.ok(table.length >= 60, `${table.length} cases`);
  for (const c of table) {
    const args = c.offline ? c.args : [...c.args, '-n', ns];
    const name = `${c.category}: ${JSON.stringify(args)}`;
    const [rvBefore, filesBefore] = [await resourceVersions(ns), hashTree(dir)];
    const r = await mesh(args, { timeoutMs: 30_000 });
    const [rvAfter, filesAfter] = [await resourceVersions(ns), hashTree(dir)];
    const checks: [boolean, string][] = [[r.code === c.code, `exit ${r.code}, expected ${c.code}`]];
    if (c.warning) {
      const lines = (c.warning === 'stderr' ? r.stderr : r.stdout).split('\n').filter((l) => c.message.test(l));
      checks.push([lines.length === 1, `one warning line (${lines.length})`]);
      checks.push([!r.stderr.includes('error:'), 'no error']);
    } else {
      const one = singleErrorLine(r.stderr);
      checks.push([one.ok, `one error line (${JSON.stringify(one.lines)})`]);
      checks.push([c.message.test(r.stderr), `names the problem (${JSON.stringify(r.stderr.trim())})`]);
      checks.push([!/this is a bug/.test(r.stderr), 'not reported as a bug']);
    }
    checks.push([!r.stdout.includes(ESC) && !r.stderr.includes(ESC), 'no raw escape character printed']);
    checks.push([JSON.stringify(rvAfter) === JSON.stringify(rvBefore), 'resourceVersions unchanged']);
    checks.push([JSON.stringify(filesAfter) === JSON.stringify(filesBefore), 'files byte-identical']);
    const failed = checks.filter(([ok]) => !ok).map(([, why]) => why);
    t.strictSame(failed, [], name);
    tally.record(c.category, failed.length === 0, 'exit code, one line naming the problem, resourceVersions and file hashes unchanged');
  }
});

t.test('history with escape sequences is printed escaped', async (t) => {
  const r = await mesh(['history', 'hist', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stdout, ESC, 'no raw ESC on stdout');
  t.match(r.stdout, /canary \\x1b\]0;owned\\x1b\\ \\x1b\[2J/, 'the stored text, escaped');
  const k = await kubectl(['get', 'vs', 'hist', '-n', ns, '-o', 'jsonpath={.metadata.resourceVersion}']);
  t.ok(k.stdout, 'the object is still there');
});
