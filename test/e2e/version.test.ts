// `kubectl mesh version` through kubectl against the test cluster: what it serves, and the istioctl found.
import path from 'node:path';
import t from 'tap';
import YAML from 'yaml';
import { istioctl, mesh, repo } from './harness.js';

const k8s = process.env.MESH_TEST_K8S_VERSION;
// What the test bed's istioctl says about itself (the version is read from the binary, not configured).
const istio: string | undefined = process.env.ISTIOCTL
  ? JSON.parse((await istioctl(['version', '--remote=false', '-o', 'json'])).stdout).clientVersion.version
  : undefined;
const pkg = (await import(path.join(repo, 'package.json'), { with: { type: 'json' } })).default as { version: string };

t.test('table: client, Kubernetes, Istio API and istioctl versions', async (t) => {
  const r = await mesh(['version']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  t.equal(lines[0], `Client Version: v${pkg.version}`);
  t.equal(lines[1], `Kubernetes Version: ${k8s ?? lines[1].slice('Kubernetes Version: '.length)}`);
  t.match(lines[1], /^Kubernetes Version: v\d+\.\d+\.\d+/);
  t.equal(lines[2], 'Istio API Version: networking.istio.io/v1');
  if (process.env.ISTIOCTL) t.equal(lines[3], `istioctl Version: ${istio} (${process.env.ISTIOCTL})`);
  t.equal(r.stderr, '');
});

t.test('-o json and -o yaml carry the same data', async (t) => {
  const json = await mesh(['version', '-o', 'json']);
  t.equal(json.code, 0, json.stderr);
  const data = JSON.parse(json.stdout);
  t.equal(data.clientVersion, pkg.version);
  if (k8s) t.equal(data.kubernetesVersion, k8s);
  t.equal(data.istioApiVersion, 'networking.istio.io/v1');
  if (process.env.ISTIOCTL) t.same(data.istioctl, { path: process.env.ISTIOCTL, version: istio });
  const yaml = await mesh(['version', '-o', 'yaml']);
  t.same(YAML.parse(yaml.stdout), data);
});

t.test('without istioctl it says so; --client asks nobody', async (t) => {
  const none = await mesh(['version'], {
    env: { ISTIOCTL: undefined, PATH: [path.join(repo, 'plugin'), '/usr/bin', '/bin'].join(path.delimiter) },
  });
  t.equal(none.code, 0, none.stderr);
  t.match(none.stdout, /\nistioctl Version: not found/);
  const client = await mesh(['version', '--client'], { env: { KUBECONFIG: '/nonexistent' } });
  t.equal(client.code, 0, client.stderr);
  t.equal(client.stdout, `Client Version: v${pkg.version}\n`);
  const server = await mesh(['version'], { env: { KUBECONFIG: '/nonexistent' } });
  t.not(server.code, 0, 'without --client a missing kubeconfig is an error');
  t.match(server.stdout, /^Client Version: /);
  t.match(server.stderr, /^error: /);
});
