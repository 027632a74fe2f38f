// istioctl proxy-status and validate adapters against tiny real executables (shell scripts), not mocks.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { proxyStatusArgs, readProxyStatus } from '../../../src/istioctl/proxy-status.js';
import { validateObjects, validationMessage, withValidation } from '../../../src/istioctl/validate.js';

let root = '';
t.before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mesh-xds-'));
});
t.teardown(async () => {
  await rm(root, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const p = path.join(root, name);
  await writeFile(p, `#!/bin/sh\n${body}\n`);
  await chmod(p, 0o755);
  return p;
}

t.test('proxy-status args: out-of-cluster address and plaintext, else in-cluster discovery', async (t) => {
  t.same(proxyStatusArgs({}), ['proxy-status', '--output', 'json']);
  t.same(proxyStatusArgs({ address: '127.0.0.1:15010', plaintext: true, kubeconfig: 'k', context: 'c' }), [
    'proxy-status',
    '--output',
    'json',
    '--xds-address',
    '127.0.0.1:15010',
    '--plaintext',
    '--kubeconfig',
    'k',
    '--context',
    'c',
  ]);
});

t.test('proxy-status: parsed, or a reason; never a throw', async (t) => {
  const ok = await script(
    'ps-ok',
    `echo '{"resources":[{"node":{"id":"sidecar~1~a.shop~shop.svc.cluster.local","metadata":{"NAMESPACE":"shop"}},"genericXdsConfigs":[{"typeUrl":"x.RouteConfiguration","configStatus":"SYNCED"}]}]}'`,
  );
  const r = await readProxyStatus(ok, {}, 5_000);
  t.ok(r.ok && r.proxies.length === 1 && r.proxies[0].types[0].state === 'SYNCED');
  const down = await script('ps-down', 'echo "Error: no running Istio pods in \\"istio-system\\"" >&2; exit 1');
  t.same(await readProxyStatus(down, {}, 5_000), {
    ok: false,
    why: 'istioctl proxy-status failed: Error: no running Istio pods in "istio-system"',
  });
  const table = await script('ps-table', 'echo "NAME CLUSTER CDS"; echo "a.shop Kubernetes SYNCED"');
  const old = await readProxyStatus(table, {}, 5_000);
  t.ok(!old.ok && /--wait needs istioctl 1.30 or later/.test(old.why));
  const slow = await script('ps-slow', 'sleep 5');
  t.same(await readProxyStatus(slow, {}, 300), { ok: false, why: 'istioctl proxy-status timed out after 0.3s' });
});

t.test("proxy-status gets our own connection: a private kubeconfig and the impersonation, not the user's files", async (t) => {
  const rec = path.join(root, 'ps-conn');
  // Records its arguments and the kubeconfig it was handed, then answers with no proxies.
  const bin = await script(
    'ps-conn',
    `for a in "$@"; do echo "$a"; done > ${rec}.args\nkc=""; prev=""; for a in "$@"; do [ "$prev" = "--kubeconfig" ] && kc="$a"; prev="$a"; done\necho "$kc" > ${rec}.path; stat -c %a "$kc" > ${rec}.mode; cat "$kc" > ${rec}.kc\necho '{"resources":[]}'`,
  );
  const r = await readProxyStatus(
    bin,
    {
      kubeconfig: '/user/kubeconfig',
      context: 'user-ctx',
      connection: async () => ({
        kubeconfig: 'apiVersion: v1\nkind: Config\n# effective\n',
        impersonationArgs: ['--as', 'alice', '--as-group', 'devs'],
      }),
    },
    5_000,
  );
  t.same(r, { ok: true, proxies: [] });
  const args = (await readFile(`${rec}.args`, 'utf8')).trim().split('\n');
  const file = (await readFile(`${rec}.path`, 'utf8')).trim();
  t.same(args.slice(0, 3), ['proxy-status', '--output', 'json']);
  t.same(args.slice(3), ['--kubeconfig', file, '--as', 'alice', '--as-group', 'devs']);
  t.equal((await readFile(`${rec}.mode`, 'utf8')).trim(), '600');
  t.match(await readFile(`${rec}.kc`, 'utf8'), /# effective/);
  t.notOk(existsSync(path.dirname(file)), 'removed afterwards');
  const broken = await readProxyStatus(bin, { connection: () => Promise.reject(new Error('no kubeconfig found')) }, 5_000);
  t.same(broken, { ok: false, why: 'cannot point istioctl proxy-status at the cluster (no kubeconfig found)' });
});

const vs = (weight: number) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'shop' },
  spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight }] }] },
});

t.test("validate: one Error finding per rejected object, with istioctl's reason", async (t) => {
  const bin = await script(
    'validate',
    [
      'input=$(cat)',
      'case "$input" in *\'"weight":0\'*) printf "Error: 1 error occurred:\\n\\t* total destination weight = 0\\n\\n" >&2; exit 1;; esac',
      'echo "validation succeed" >&2',
    ].join('\n'),
  );
  t.same(await validateObjects(bin, [vs(100)], 5_000), []);
  t.same(await validateObjects(bin, [vs(100), vs(0)], 5_000), [
    {
      code: 'IstioValidation',
      level: 'Error',
      origin: 'VirtualService shop/reviews',
      message: 'istioctl validate: total destination weight = 0',
      source: 'istioctl',
    },
  ]);
  const analyze = async () => ({ used: false as const, notice: 'istioctl analyze timed out' });
  const merged = await withValidation(analyze, async () => bin, 5_000)({ objects: [vs(0)], namespace: 'shop' });
  t.same(merged.used && merged.findings.map((f) => f.code), ['IstioValidation'], 'a rejection counts even when analyze could not run');
  t.same(
    await withValidation(analyze, async () => bin, 5_000)({ objects: [vs(100)], namespace: 'shop' }),
    await analyze(),
    'valid: analyze result as is',
  );
});

t.test("validation messages without cobra's wrapping", async (t) => {
  t.equal(validationMessage('Error: 2 errors occurred:\n\t* a\n\t* b\n'), 'a; b');
  t.equal(validationMessage('Error: cannot parse proto message: x\n'), 'cannot parse proto message: x');
  t.equal(validationMessage(''), 'rejected');
});
