// Starts etcd, kube-apiserver and istiod (pilot-discovery) on 127.0.0.1 (ports picked free now), waits until they are ready,
// and writes the kubeconfig. Processes run detached with their output in logs/, pids in pids/.
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import YAML from 'yaml';
import { writeCredentials } from './certs.mjs';
import { freePort, startProcess } from './state.mjs';

async function waitFor(what, probe, { timeoutMs = 60_000, proc, dir } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (e) {
      last = e.message;
    }
    if (proc?.exited) throw new Error(`${what} exited during startup; see ${path.join(dir, 'logs', `${what}.log`)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000}s${last ? ` (${last})` : ''}`);
}

function httpsGet(url, ca, token) {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on('error', reject);
  });
}

export async function startEtcd(dir, binary) {
  const client = await freePort();
  const peer = await freePort();
  const url = `http://127.0.0.1:${client}`;
  const proc = startProcess(dir, 'etcd', binary, [
    '--name=default',
    `--data-dir=${path.join(dir, 'etcd-data')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=default=http://127.0.0.1:${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await waitFor('etcd', async () => (await fetch(`${url}/health`)).ok, { proc, dir });
  return { pid: proc.pid, url, ports: { client, peer } };
}

export async function startApiserver(dir, binary, etcdUrl) {
  const creds = await writeCredentials(dir);
  const port = await freePort();
  const proc = startProcess(dir, 'kube-apiserver', binary, [
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--etcd-servers=${etcdUrl}`,
    `--cert-dir=${path.join(dir, 'pki')}`,
    `--tls-cert-file=${creds.certFile}`,
    `--tls-private-key-file=${creds.keyFile}`,
    '--authorization-mode=RBAC',
    `--token-auth-file=${creds.tokenFile}`,
    '--anonymous-auth=false',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${creds.saPub}`,
    `--service-account-signing-key-file=${creds.saKey}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--profiling=false',
    '--v=0',
  ]);
  const server = `https://127.0.0.1:${port}`;
  await waitFor('kube-apiserver', async () => (await httpsGet(`${server}/readyz`, creds.caPem, creds.tokens.admin)) === 200, {
    timeoutMs: 120_000,
    proc,
    dir,
  });
  return { pid: proc.pid, server, port, creds };
}

/** kubeconfig with contexts `admin` (current, system:masters) and `mesh-user`; both default to namespace shop. */
export function writeKubeconfig(dir, server, creds, namespace = 'shop') {
  const cluster = 'kubectl-mesh-test';
  const users = Object.keys(creds.tokens);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server, 'certificate-authority-data': Buffer.from(creds.caPem).toString('base64') } }],
    users: users.map((u) => ({ name: u, user: { token: creds.tokens[u] } })),
    contexts: users.map((u) => ({ name: u, context: { cluster, user: u, namespace } })),
    'current-context': 'admin',
  };
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(file, YAML.stringify(config), { mode: 0o600 });
  return file;
}

/**
 * Starts Istio's control plane (pilot-discovery) out-of-cluster against the test API server, on one
 * plaintext port that serves xDS over h2c, /ready and /debug/* (no CA, no TLS, no webhooks). Needs the
 * Istio CRDs and the istio-system namespace to exist first (else leader-election noise).
 */
export async function startIstiod(dir, binary, kubeconfig) {
  const port = await freePort();
  const proc = startProcess(
    dir,
    'pilot-discovery',
    binary,
    [
      'discovery',
      '--kubeconfig',
      kubeconfig,
      '--httpAddr',
      `127.0.0.1:${port}`,
      '--grpcAddr',
      '',
      '--secureGRPCAddr',
      '',
      '--monitoringAddr',
      '',
      '--httpsAddr',
      '',
      '--ctrlz_port',
      '0',
    ],
    {
      POD_NAMESPACE: 'istio-system',
      ENABLE_CA_SERVER: 'false',
      PILOT_CERT_PROVIDER: 'none',
      // Plain text carries no identity: without this, istioctl proxy-status gets "authentication required".
      ENABLE_DEBUG_ENDPOINT_AUTH: 'false',
    },
  );
  const address = `127.0.0.1:${port}`;
  await waitFor('pilot-discovery', async () => (await fetch(`http://${address}/ready`)).ok, { timeoutMs: 60_000, proc, dir });
  return { pid: proc.pid, address, port };
}
