// The pure rules of connecting like kubectl: --request-timeout parsing, proxy choice and NO_PROXY,
// Warning headers, the discovery cache's place and freshness, flag precedence, in-cluster config.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { MAX_TIMER_MS, parseRequestTimeout } from '../../../src/cli/global-flags.js';
import { UsageError } from '../../../src/errors.js';
import { resolveConfig } from '../../../src/kube/context.js';
import { cacheRoot, DiscoveryCache, DISCOVERY_TTL_MS, discoveryDir, mergeGroups } from '../../../src/kube/discovery-cache.js';
import { inClusterConfig } from '../../../src/kube/in-cluster.js';
import type { Kubeconfig } from '../../../src/kube/kubeconfig.js';
import { proxyFor, useProxy } from '../../../src/kube/proxy.js';
import { parseWarnings } from '../../../src/kube/warnings.js';

const root = mkdtempSync(join(tmpdir(), 'mesh-connect-rules-'));
t.teardown(() => {
  rmSync(root, { recursive: true, force: true });
});

t.test("--request-timeout: kubectl's clientcmd.ParseTimeout", async (t) => {
  const cases: [string, number][] = [
    ['0', 0],
    ['5', 5000],
    ['+5', 5000],
    ['30s', 30_000],
    ['500ms', 500],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['250us', 1],
    ['-1s', 0],
    ['0s', 0],
    ['600h', MAX_TIMER_MS],
    ['99999999', MAX_TIMER_MS],
  ];
  for (const [text, ms] of cases) t.equal(parseRequestTimeout(text), ms, text);
  for (const bad of ['soon', '5 s', '-5', '1d', '', 's', '1.2.3s']) {
    t.throws(
      () => parseRequestTimeout(bad),
      { constructor: UsageError, message: `invalid value "${bad}" for --request-timeout`, hint: /whole number of seconds/ },
      bad,
    );
  }
});

t.test('proxy: proxy-url wins; HTTPS_PROXY for https; loopback, localhost and NO_PROXY go direct', async (t) => {
  const api = new URL('https://api.example.com:6443');
  t.equal(proxyFor(api, 'http://p:3128', { HTTPS_PROXY: 'http://other:1' })?.host, 'p:3128', 'proxy-url ignores the environment');
  t.equal(proxyFor(api, undefined, { HTTPS_PROXY: 'proxy.corp:3128' })?.href, 'http://proxy.corp:3128/', 'scheme defaults to http');
  t.equal(proxyFor(api, undefined, { https_proxy: 'http://lower:1' })?.host, 'lower:1');
  t.equal(proxyFor(api, undefined, { HTTP_PROXY: 'http://p:1' }), undefined, 'HTTP_PROXY is not for https');
  t.equal(proxyFor(new URL('http://api.example.com'), undefined, { HTTP_PROXY: 'http://p:1' })?.host, 'p:1');
  t.equal(proxyFor(new URL('https://127.0.0.1:6443'), undefined, { HTTPS_PROXY: 'http://p:1' }), undefined, 'loopback never');
  t.equal(proxyFor(new URL('https://localhost:6443'), undefined, { HTTPS_PROXY: 'http://p:1' }), undefined, 'localhost never');
  t.equal(proxyFor(new URL('https://[::1]:6443'), undefined, { HTTPS_PROXY: 'http://p:1' }), undefined);
  const no = (host: string, port: string, list: string) => !useProxy(host, port, list);
  t.ok(no('api.example.com', '6443', 'example.com'), 'a domain matches itself and subdomains');
  t.ok(no('example.com', '6443', 'example.com'));
  t.notOk(no('example.com', '6443', '.example.com'), 'a leading dot: subdomains only');
  t.ok(no('a.example.com', '6443', '*.example.com'));
  t.notOk(no('badexample.com', '443', 'example.com'), 'not a suffix match on the bare name');
  t.ok(no('api.example.com', '6443', 'foo, api.example.com:6443'), 'host:port');
  t.notOk(no('api.example.com', '443', 'api.example.com:6443'), 'other port');
  t.ok(no('10.1.2.3', '443', '10.0.0.0/8'), 'CIDR');
  t.notOk(no('11.1.2.3', '443', '10.0.0.0/8'));
  t.ok(no('10.1.2.3', '443', '10.1.2.3'), 'IP');
  t.ok(no('anything', '1', '*'), '*');
  t.ok(no('API.Example.com'.toLowerCase(), '1', 'EXAMPLE.COM'), 'case-insensitive');
});

t.test('Warning headers: 299 texts, several per header, escapes', async (t) => {
  t.same(parseWarnings(['299 - "networking.istio.io/v1alpha3 VirtualService is deprecated"']), [
    'networking.istio.io/v1alpha3 VirtualService is deprecated',
  ]);
  t.same(parseWarnings(['299 - "a, b", 299 - "say \\"hi\\""', '199 - "misc"']), ['a, b', 'say "hi"']);
  t.same(parseWarnings(['garbage']), []);
});

t.test("discovery cache: kubectl's place, TTL and format", async (t) => {
  t.equal(cacheRoot(undefined, { HOME: '/h' }), '/h/.kube/cache');
  t.equal(cacheRoot(undefined, { HOME: '/h', KUBECACHEDIR: '/k' }), '/k', 'KUBECACHEDIR');
  t.equal(cacheRoot('/flag', { HOME: '/h', KUBECACHEDIR: '/k' }), '/flag', '--cache-dir wins');
  t.equal(discoveryDir('/c', 'https://127.0.0.1:6443'), '/c/discovery/127.0.0.1_6443');
  t.equal(discoveryDir('/c', 'https://api.example.com:443/prefix'), '/c/discovery/api.example.com_443/prefix');
  t.equal(discoveryDir('/c', 'localhost:8443'), '/c/discovery/localhost_8443');
  let now = Date.now();
  const dir = join(root, 'disc');
  const cache = new DiscoveryCache(dir, () => now);
  t.equal(cache.read(), undefined, 'missing');
  const list = mergeGroups({ versions: ['v1'] }, { groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] }] });
  t.same(
    list.groups.map((g) => g.name),
    ['', 'apps'],
    'the core group first, as client-go writes it',
  );
  cache.write(list);
  t.same(cache.read(), list);
  now += DISCOVERY_TTL_MS + 1000;
  t.equal(cache.read(), undefined, 'stale after 6 h');
  mkdirSync(join(root, 'bad'), { recursive: true });
  writeFileSync(join(root, 'bad', 'servergroups.json'), '{not json');
  t.equal(new DiscoveryCache(join(root, 'bad')).read(), undefined, 'unreadable = missing');
  utimesSync(join(root, 'bad', 'servergroups.json'), new Date(), new Date());
});

const kc = (current?: string): Kubeconfig => ({
  files: ['/k'],
  currentContext: current,
  clusters: new Map([['c', { server: 'https://file:6443', 'certificate-authority-data': 'Q0E=', 'tls-server-name': 'file-name' }]]),
  users: new Map([['u', { token: 'file-token', as: 'kc-as', 'as-groups': ['kc-group'] }]]),
  contexts: new Map([['ctx', { cluster: 'c', user: 'u', namespace: 'ns' }]]),
});

t.test("flags over the kubeconfig, with client-go's special cases", async (t) => {
  const base = resolveConfig(kc('ctx'));
  t.match(base.cluster, { server: 'https://file:6443', 'tls-server-name': 'file-name', 'certificate-authority-data': 'Q0E=' });
  const server = resolveConfig(kc('ctx'), { server: 'https://flag:1' });
  t.equal(server.cluster.server, 'https://flag:1');
  t.equal(server.cluster['tls-server-name'], undefined, '--server clears the kubeconfig tls-server-name');
  t.equal(resolveConfig(kc('ctx'), { server: 'https://flag:1', tlsServerName: 'n' }).cluster['tls-server-name'], 'n');
  const ca = resolveConfig(kc('ctx'), { certificateAuthority: '/ca.crt' }).cluster;
  t.same(
    [ca['certificate-authority'], ca['certificate-authority-data'], ca['insecure-skip-tls-verify']],
    ['/ca.crt', undefined, false],
    '--certificate-authority replaces CA data',
  );
  const insecure = resolveConfig(kc('ctx'), { insecureSkipTlsVerify: true }).cluster;
  t.same(
    [insecure['certificate-authority-data'], insecure['insecure-skip-tls-verify']],
    [undefined, true],
    '--insecure-skip-tls-verify drops the CA',
  );
  const user = resolveConfig(kc('ctx'), { token: 'flag-token', as: 'flag-as', asUid: '7' }).user;
  t.match(user, { token: 'flag-token', as: 'flag-as', 'as-uid': '7', 'as-groups': ['kc-group'] });
  const noContext = resolveConfig({ ...kc(), files: [] }, { server: 'https://only-flags:6443', token: 'x' }, { env: {} });
  t.match(
    noContext,
    { cluster: { server: 'https://only-flags:6443' }, user: { token: 'x' }, namespace: 'default' },
    '--server works without a kubeconfig',
  );
  t.throws(() => resolveConfig({ ...kc(), files: [] }, {}, { env: {} }), { message: 'no kubeconfig found' });
});

t.test('in-cluster: service-account files and KUBERNETES_SERVICE_HOST/PORT', async (t) => {
  const sa = join(root, 'sa');
  mkdirSync(sa);
  const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
  t.equal(inClusterConfig(env, sa), undefined, 'no token file: not in a pod');
  const claims = Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:ci:runner' })).toString('base64url');
  writeFileSync(join(sa, 'token'), `h.${claims}.s\n`);
  writeFileSync(join(sa, 'namespace'), 'ci');
  t.match(inClusterConfig(env, sa), {
    cluster: { server: 'https://10.96.0.1:443', 'certificate-authority': join(sa, 'ca.crt') },
    user: { tokenFile: join(sa, 'token') },
    namespace: 'ci',
    userName: 'system:serviceaccount:ci:runner',
    inCluster: true,
  });
  t.equal(inClusterConfig({ ...env, KUBERNETES_SERVICE_HOST: 'fd00::1' }, sa)?.cluster.server, 'https://[fd00::1]:443');
  t.equal(inClusterConfig({ ...env, POD_NAMESPACE: 'p' }, sa)?.namespace, 'p', 'POD_NAMESPACE first');
  t.equal(inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }, sa), undefined, 'both variables needed');
  const fallback = resolveConfig({ ...kc(), files: [] }, { namespace: 'n2', token: 'flag' }, { env, serviceAccountDir: sa });
  t.match(fallback, { inCluster: true, namespace: 'n2', user: { token: 'flag' } }, 'no context: in-cluster, with --token and -n');
  t.equal(resolveConfig(kc('ctx'), {}, { env, serviceAccountDir: sa }).inCluster, undefined, 'a kubeconfig context wins');
});
