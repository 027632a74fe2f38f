// npm run cluster:up — builds (once, cached) and starts the real test cluster: etcd + kube-apiserver
// with RBAC and TLS, Istio's CRDs, and the demo app in namespace shop. Prints what it built and how long
// each step took; the LAST line is always `KUBECONFIG=<absolute path>` on success. Before it, on its own
// line, `ISTIOD_ADDRESS=127.0.0.1:PORT`: istiod's plaintext xDS port (istioctl --xds-address … --plaintext).
// If a healthy cluster already runs in the state dir it is reused; a crashed one is cleaned up first.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { binaryPath, buildAll, hasGo, gatewayApiCrdDir, istioCrdFile, versions } from './build.mjs';
import { down, stopProcesses } from './down.mjs';
import { createNamespace, loadDemo, installCrds, installGatewayApiCrds } from './load-demo.mjs';
import { startPrometheus } from './prometheus.mjs';
import { startApiserver, startEtcd, startIstiod, writeKubeconfig } from './start.mjs';
import { isOurs, readState, recordedPids, stateDir, writeState } from './state.mjs';

const steps = [];
async function step(name, fn) {
  const t = Date.now();
  const result = await fn();
  const seconds = (Date.now() - t) / 1000;
  steps.push({ name, seconds });
  console.log(`[cluster:up] ${name}: ${seconds.toFixed(1)}s`);
  return result;
}

function healthy(state) {
  if (!recordedPids(state.dir).every(isOurs)) return Promise.resolve(false);
  const ca = readFileSync(path.join(state.dir, 'pki', 'ca.crt'));
  return new Promise((resolve) => {
    https
      .get(`${state.server}/readyz`, { ca, headers: { authorization: `Bearer ${state.adminToken}` } }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      })
      .on('error', () => resolve(false));
  });
}

export async function up(dir = stateDir()) {
  const existing = readState(dir);
  if (existing && (await healthy(existing))) {
    console.log(
      `[cluster:up] a cluster is already running in ${dir} (pids ${recordedPids(dir)
        .map((p) => p.pid)
        .join(', ')}); reusing it.`,
    );
    console.log(`[cluster:up] stop it with: MESH_CLUSTER_STATE_DIR=${dir} npm run cluster:down`);
    return existing;
  }
  if (existsSync(dir)) {
    console.log(`[cluster:up] found a stale cluster in ${dir}; cleaning it up first`);
    await down(dir);
  }
  if (!(await hasGo())) throw new Error('Go is not installed: the test cluster builds etcd, kube-apiserver and istioctl from Go modules');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const started = Date.now();

  const bins = await step('build (etcd, kube-apiserver, istioctl + pilot-discovery, xds-probe)', () =>
    buildAll((line) => console.log(`[cluster:up] ${line}`)),
  );
  const etcd = await step('start etcd', () => startEtcd(dir, bins.etcd.path));
  const api = await step('start kube-apiserver', () => startApiserver(dir, bins.kubernetes.path, etcd.url));
  const kubeconfig = writeKubeconfig(dir, api.server, api.creds);
  const crdFile = await istioCrdFile();
  await step('install Istio CRDs', () => installCrds(kubeconfig, crdFile));
  await step('install Gateway API CRDs', async () => installGatewayApiCrds(kubeconfig, await gatewayApiCrdDir()));
  await createNamespace(kubeconfig, 'istio-system');
  const istiod = await step('start istiod', () => startIstiod(dir, bins.istio.paths['pilot-discovery'], kubeconfig));
  await step('load demo app', () => loadDemo(kubeconfig));
  const prom = await step('start Prometheus + traffic source', () =>
    startPrometheus(dir, kubeconfig, (line) => console.log(`[cluster:up] ${line}`)),
  );

  const state = {
    dir,
    kubeconfig,
    server: api.server,
    adminToken: api.creds.tokens.admin,
    ports: {
      apiserver: api.port,
      etcdClient: etcd.ports.client,
      etcdPeer: etcd.ports.peer,
      prometheus: prom.port,
      trafficSim: prom.simPort,
    },
    istiodAddress: istiod.address,
    pids: { etcd: etcd.pid, 'kube-apiserver': api.pid, 'pilot-discovery': istiod.pid, ...prom.pids },
    prometheusUrl: prom.url,
    binaries: {
      etcd: binaryPath('etcd'),
      'kube-apiserver': binaryPath('kubernetes'),
      istioctl: binaryPath('istio'),
      'pilot-discovery': binaryPath('istio', 'pilot-discovery'),
      'xds-probe': binaryPath('xds-probe'),
    },
    versions: {
      etcd: versions.etcd.version,
      kubernetes: versions.kubernetes.version,
      istio: versions.istio.release,
      istioModule: versions.istio.version,
      prometheus: prom.version,
    },
    crdFile,
    steps,
    startedAt: new Date().toISOString(),
  };
  writeState(dir, state);
  console.log(
    `[cluster:up] ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${api.server} (Kubernetes ${versions.kubernetes.version}, etcd ${versions.etcd.version}, istioctl ${versions.istio.release}); state dir ${dir}`,
  );
  return state;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = stateDir();
  try {
    const state = await up(dir);
    console.log(`ISTIOD_ADDRESS=${state.istiodAddress}`);
    if (state.prometheusUrl) console.log(`PROMETHEUS_URL=${state.prometheusUrl}`);
    console.log(`KUBECONFIG=${state.kubeconfig}`);
  } catch (e) {
    console.error(`[cluster:up] FAILED: ${e.message}`);
    for (const log of ['pilot-discovery', 'kube-apiserver', 'etcd', 'prometheus', 'traffic-sim']) {
      const file = path.join(dir, 'logs', `${log}.log`);
      if (existsSync(file)) console.error(`--- last lines of ${file}:\n${readFileSync(file, 'utf8').split('\n').slice(-15).join('\n')}`);
    }
    await stopProcesses(dir).catch(() => {});
    console.error(`[cluster:up] stopped what was started; logs kept in ${dir}/logs (npm run cluster:down removes them)`);
    process.exit(1);
  }
}
