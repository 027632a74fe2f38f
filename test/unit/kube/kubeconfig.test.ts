// Kubeconfig loading against real files, checked against client-go's rules.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { ExitCode, MeshError, UsageError } from '../../../src/errors.js';
import { resolveConnection } from '../../../src/kube/index.js';
import { kubeconfigPaths, loadKubeconfig } from '../../../src/kube/kubeconfig.js';

interface Spec {
  current?: string;
  clusters?: Record<string, Record<string, unknown>>;
  users?: Record<string, Record<string, unknown>>;
  contexts?: Record<string, Record<string, unknown>>;
}

const root = mkdtempSync(join(tmpdir(), 'mesh-kubeconfig-'));
t.teardown(() => {
  rmSync(root, { recursive: true, force: true });
});
let seq = 0;

/** Writes a kubeconfig into its own directory so relative paths have a distinct base. */
function kubeconfig(spec: Spec): string {
  const dir = join(root, `cfg${++seq}`);
  mkdirSync(dir);
  const file = join(dir, 'config');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    ...(spec.current ? { 'current-context': spec.current } : {}),
    clusters: Object.entries(spec.clusters ?? {}).map(([name, cluster]) => ({ name, cluster })),
    users: Object.entries(spec.users ?? {}).map(([name, user]) => ({ name, user })),
    contexts: Object.entries(spec.contexts ?? {}).map(([name, context]) => ({ name, context })),
  };
  writeFileSync(file, stringify(doc));
  return file;
}

const fromEnv = (...files: string[]) => ({ env: { KUBECONFIG: files.join(':') }, homeDir: join(root, 'nohome') });

const a = kubeconfig({
  current: 'a',
  clusters: { shared: { server: 'https://a.example:6443' }, 'only-a': { server: 'https://only-a:6443' } },
  users: { shared: { token: 'from-a' } },
  contexts: { a: { cluster: 'shared', user: 'shared', namespace: 'shop' }, both: { cluster: 'only-a', user: 'shared' } },
});
const b = kubeconfig({
  current: 'b',
  clusters: { shared: { server: 'https://b.example:6443' }, 'only-b': { server: 'https://only-b:6443' } },
  users: { shared: { token: 'from-b' }, bob: { token: 'bob' } },
  contexts: { b: { cluster: 'only-b', user: 'bob' }, both: { cluster: 'only-b', user: 'bob' } },
});
const noCurrent = kubeconfig({
  clusters: { c: { server: 'https://c:6443' } },
  contexts: { c1: { cluster: 'c' }, c2: { cluster: 'c' } },
});

t.test('current-context comes from the first file that sets it', async (t) => {
  t.equal(resolveConnection(fromEnv(a, b)).contextName, 'a');
  t.equal(resolveConnection(fromEnv(b, a)).contextName, 'b');
  // A file without current-context does not hide a later one's (client-node takes the last instead).
  t.equal(resolveConnection(fromEnv(noCurrent, b, a)).contextName, 'b');
});

t.test('for a name defined twice, the first file wins for the whole entry', async (t) => {
  const ab = loadKubeconfig([a, b]);
  t.equal(ab.clusters.get('shared')?.server, 'https://a.example:6443');
  t.equal(ab.users.get('shared')?.token, 'from-a');
  t.same(ab.contexts.get('both'), { cluster: 'only-a', user: 'shared' });
  t.ok(ab.clusters.has('only-b') && ab.users.has('bob') && ab.contexts.has('b'), 'names unique to later files are merged in');
  const ba = loadKubeconfig([b, a]);
  t.equal(ba.clusters.get('shared')?.server, 'https://b.example:6443');
  t.same(ba.contexts.get('both'), { cluster: 'only-b', user: 'bob' });
});

t.test('KUBECONFIG: missing files skipped, empty entries ignored, duplicates read once', async (t) => {
  const missing = join(root, 'does-not-exist');
  t.same(kubeconfigPaths({ env: { KUBECONFIG: `:${missing}:${a}::${b}:${a}:` } }), [a, b]);
  t.equal(resolveConnection({ env: { KUBECONFIG: `${missing}:${b}` } }).contextName, 'b');
});

t.test('--kubeconfig reads only that file, and it must exist', async (t) => {
  t.same(kubeconfigPaths({ kubeconfig: b, env: { KUBECONFIG: a } }), [b]);
  t.equal(resolveConnection({ kubeconfig: b, env: { KUBECONFIG: a } }).contextName, 'b');
  t.throws(() => kubeconfigPaths({ kubeconfig: join(root, 'nope') }), {
    constructor: UsageError,
    message: `kubeconfig file "${join(root, 'nope')}" does not exist`,
  });
});

t.test('without KUBECONFIG, ~/.kube/config', async (t) => {
  const home = join(root, 'home');
  mkdirSync(join(home, '.kube'), { recursive: true });
  writeFileSync(
    join(home, '.kube', 'config'),
    stringify({
      'current-context': 'h',
      clusters: [{ name: 'h', cluster: { server: 'https://h:6443' } }],
      contexts: [{ name: 'h', context: { cluster: 'h' } }],
    }),
  );
  t.same(kubeconfigPaths({ env: {}, homeDir: home }), [join(home, '.kube', 'config')]);
  t.same(kubeconfigPaths({ env: { HOME: home } }), [join(home, '.kube', 'config')]);
  const rc = resolveConnection({ env: {}, homeDir: home });
  t.equal(rc.contextName, 'h');
  t.equal(rc.userName, '', 'a context without a user is anonymous');
  t.same(rc.user, {});
  t.throws(() => resolveConnection({ env: {}, homeDir: join(root, 'empty-home') }), {
    constructor: UsageError,
    message: /^no kubeconfig found/,
  });
});

t.test('relative paths resolve against the directory of the file defining the entry', async (t) => {
  const first = kubeconfig({
    current: 'x',
    clusters: { x: { server: 'https://x:6443', 'certificate-authority': 'pki/ca.crt' } },
    contexts: { x: { cluster: 'x', user: 'x' } },
  });
  const second = kubeconfig({
    clusters: { abs: { server: 'https://abs:6443', 'certificate-authority': '/etc/ca.crt' } },
    users: {
      x: {
        'client-certificate': 'pki/me.crt',
        'client-key': './pki/me.key',
        tokenFile: 'token',
        exec: { command: './bin/cred', args: ['get'] },
      },
      path: { exec: { command: 'aws', args: ['eks'] } },
    },
  });
  const kc = loadKubeconfig([first, second]);
  const dir1 = join(first, '..'),
    dir2 = join(second, '..');
  t.equal(kc.clusters.get('x')?.['certificate-authority'], join(dir1, 'pki/ca.crt'));
  t.equal(kc.clusters.get('abs')?.['certificate-authority'], '/etc/ca.crt', 'absolute paths are kept');
  const x = kc.users.get('x');
  t.equal(x?.['client-certificate'], join(dir2, 'pki/me.crt'));
  t.equal(x?.['client-key'], join(dir2, 'pki/me.key'));
  t.equal(x?.tokenFile, join(dir2, 'token'));
  t.same(x?.exec, { command: join(dir2, 'bin/cred'), args: ['get'] });
  t.equal(kc.users.get('path')?.exec?.command, 'aws', 'a bare command is left to PATH');
});

t.test('--context, --cluster, --user and -n override the kubeconfig', async (t) => {
  const env = fromEnv(a, b);
  const base = resolveConnection(env);
  t.match(base, {
    contextName: 'a',
    clusterName: 'shared',
    userName: 'shared',
    namespace: 'shop',
    cluster: { server: 'https://a.example:6443' },
    user: { token: 'from-a' },
  });
  t.match(resolveConnection({ ...env, context: 'b' }), { contextName: 'b', clusterName: 'only-b', userName: 'bob', namespace: 'default' });
  t.match(resolveConnection({ ...env, cluster: 'only-b' }), {
    contextName: 'a',
    clusterName: 'only-b',
    cluster: { server: 'https://only-b:6443' },
    userName: 'shared',
  });
  t.match(resolveConnection({ ...env, user: 'bob' }), { contextName: 'a', clusterName: 'shared', userName: 'bob', user: { token: 'bob' } });
  t.equal(resolveConnection({ ...env, namespace: 'qa' }).namespace, 'qa');
  t.equal(resolveConnection({ ...env, context: 'b', namespace: 'qa' }).namespace, 'qa');
});

t.test('unknown names are usage errors that list what exists', async (t) => {
  const env = fromEnv(a, b);
  t.throws(() => resolveConnection({ ...env, context: 'prod' }), {
    constructor: UsageError,
    exitCode: ExitCode.usage,
    message: 'context "prod" not found in kubeconfig',
    hint: 'available contexts: a, both, b',
  });
  t.throws(() => resolveConnection({ ...env, cluster: 'nope' }), {
    constructor: UsageError,
    message: 'cluster "nope" not found in kubeconfig',
    hint: /shared, only-a, only-b/,
  });
  t.throws(() => resolveConnection({ ...env, user: 'nope' }), {
    constructor: UsageError,
    message: 'user "nope" not found in kubeconfig',
    hint: /shared, bob/,
  });
  const dangling = kubeconfig({ current: 'd', contexts: { d: { cluster: 'gone' } } });
  t.throws(() => resolveConnection(fromEnv(dangling)), { message: 'cluster "gone" not found in kubeconfig' });
});

t.test('no current context and no --context is a one-line error naming the fix', async (t) => {
  t.throws(() => resolveConnection(fromEnv(noCurrent)), {
    constructor: UsageError,
    message: 'current-context is not set in the kubeconfig',
    hint: 'pass --context <name> or run kubectl config use-context <name>; available contexts: c1, c2',
  });
  t.equal(resolveConnection({ ...fromEnv(noCurrent), context: 'c2' }).contextName, 'c2');
});

t.test('an unparsable file names itself', async (t) => {
  const bad = join(root, 'bad.yaml');
  writeFileSync(bad, 'clusters: [\n  - name: x\n   bad indent: {');
  t.throws(() => loadKubeconfig([bad]), { constructor: MeshError, message: new RegExp(`^cannot load kubeconfig file "${bad}": `) });
  const empty = join(root, 'empty.yaml');
  writeFileSync(empty, '');
  t.same([...loadKubeconfig([empty]).contexts], [], 'an empty file is an empty kubeconfig');
});
