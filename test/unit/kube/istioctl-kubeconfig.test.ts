// istioctl runs against exactly what the plugin talks to: a private temporary kubeconfig (0600, in
// a 0700 directory, removed afterwards) plus the impersonation flags istioctl would otherwise drop.
// The "istioctl" here is a tiny real script that records what it was given.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { createIstioctl } from '../../../src/istioctl/istioctl.js';
import type { ResolvedConfig } from '../../../src/kube/context.js';
import { toolKubeconfig } from '../../../src/kube/tool-kubeconfig.js';

const root = mkdtempSync(path.join(tmpdir(), 'mesh-istioctl-kc-'));
t.teardown(() => {
  rmSync(root, { recursive: true, force: true });
});

t.test('the effective cluster and identity, impersonation included', async (t) => {
  writeFileSync(path.join(root, 'ca.crt'), 'CA-PEM');
  const rc: ResolvedConfig = {
    contextName: 'ctx',
    clusterName: 'c',
    userName: 'u',
    namespace: 'shop',
    cluster: {
      server: 'https://vm:6443',
      'certificate-authority': path.join(root, 'ca.crt'),
      'tls-server-name': 'localhost',
      'proxy-url': 'http://p:3128',
    },
    user: {},
  };
  const tool = toolKubeconfig(rc, {
    token: 'tok',
    as: 'alice',
    'as-groups': ['devs', 'ops'],
    'as-uid': '42',
    'as-user-extra': { team: ['mesh'] },
  });
  const doc = parse(tool.kubeconfig);
  t.same(doc.clusters[0].cluster, {
    server: 'https://vm:6443',
    'certificate-authority-data': Buffer.from('CA-PEM').toString('base64'),
    'tls-server-name': 'localhost',
    'proxy-url': 'http://p:3128',
  });
  t.same(doc.users[0].user, {
    token: 'tok',
    as: 'alice',
    'as-uid': '42',
    'as-groups': ['devs', 'ops'],
    'as-user-extra': { team: ['mesh'] },
  });
  t.same(doc.contexts[0].context, { cluster: 'mesh', user: 'mesh', namespace: 'shop' });
  t.same(tool.impersonationArgs, ['--as', 'alice', '--as-group', 'devs', '--as-group', 'ops', '--as-uid', '42']);
  t.same(toolKubeconfig(rc, { token: 'tok' }).impersonationArgs, []);
  const socks = (url: string) =>
    parse(toolKubeconfig({ ...rc, cluster: { ...rc.cluster, 'proxy-url': url } }, { token: 'tok' }).kubeconfig).clusters[0].cluster[
      'proxy-url'
    ];
  t.equal(
    socks('socks5h://u:p@bastion:1080'),
    'socks5://u:p@bastion:1080',
    'socks5h as the socks5 client-go accepts (it resolves remotely)',
  );
  t.equal(socks('socks5://bastion:1080'), 'socks5://bastion:1080');
});

t.test('analyze writes it 0600, passes only it, and removes it', async (t) => {
  const record = path.join(root, 'record');
  const bin = path.join(root, 'istioctl');
  // Records its arguments, the kubeconfig's mode and content; answers "no findings".
  writeFileSync(
    bin,
    `#!/bin/sh\nfor a in "$@"; do echo "$a"; done > ${record}.args\nkc=""; prev=""; for a in "$@"; do [ "$prev" = "--kubeconfig" ] && kc="$a"; prev="$a"; done\necho "$kc" > ${record}.path; stat -c %a "$kc" > ${record}.mode; stat -c %a "$(dirname "$kc")" > ${record}.dirmode; cat "$kc" > ${record}.kc\necho '[]'\n`,
  );
  chmodSync(bin, 0o755);
  const istioctl = createIstioctl({
    explicit: bin,
    env: { PATH: '/usr/bin:/bin' },
    kubeconfig: '/user/kubeconfig',
    context: 'user-ctx',
    effectiveKubeconfig: async () => ({ kubeconfig: 'apiVersion: v1\nkind: Config\n# effective\n', impersonationArgs: ['--as', 'alice'] }),
  });
  const r = await istioctl.analyze({ objects: [], namespace: 'shop' });
  t.match(r, { used: true });
  const args = readFileSync(`${record}.args`, 'utf8').trim().split('\n');
  const file = readFileSync(`${record}.path`, 'utf8').trim();
  t.notOk(args.includes('/user/kubeconfig') || args.includes('--context'), "the user's kubeconfig and context are not passed");
  t.same(args.slice(-2), ['--as', 'alice']);
  t.equal(readFileSync(`${record}.mode`, 'utf8').trim(), '600');
  t.equal(readFileSync(`${record}.dirmode`, 'utf8').trim(), '700');
  t.match(readFileSync(`${record}.kc`, 'utf8'), /# effective/);
  t.notOk(existsSync(file), 'removed afterwards');
  t.notOk(existsSync(path.dirname(file)), 'its directory too');
});
