// Installs what the tests expect on a fresh cluster: Istio's CRDs, the least-privilege RBAC (bound to
// mesh-user in namespace shop only), the demo app from manifests/demo, and its Pods (Ready).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubeClient, paths } from './kube.mjs';
import { startWorkloads } from './pods.mjs';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const DEMO_NAMESPACE = 'shop';

async function kubectl(kubeconfig, args, input) {
  const p = run('kubectl', ['--kubeconfig', kubeconfig, '--context', 'admin', ...args], { maxBuffer: 64 << 20 });
  if (input !== undefined) p.child.stdin.end(input);
  try {
    return (await p).stdout;
  } catch (e) {
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

export async function installCrds(kubeconfig, crdFile) {
  // Server-side apply: Istio's CRDs are too large for the last-applied annotation of client-side apply.
  await kubectl(kubeconfig, ['apply', '--server-side', '--field-manager=kubectl-mesh-test', '-f', crdFile]);
  await kubectl(kubeconfig, ['wait', '--for', 'condition=established', '--timeout=60s', 'crd', '--all']);
}

/** Gateway API CRDs from a kustomization directory (HTTPRoutes for the GAMMA checks). */
export async function installGatewayApiCrds(kubeconfig, crdDir) {
  await kubectl(kubeconfig, ['apply', '--server-side', '--field-manager=kubectl-mesh-test', '-k', crdDir]);
  await kubectl(kubeconfig, ['wait', '--for', 'condition=established', '--timeout=60s', 'crd', '--all']);
}

/** Creates namespace `name` (and its `default` ServiceAccount, which no controller-manager creates here) unless it exists. */
export async function createNamespace(kubeconfig, name) {
  const kc = kubeClient(kubeconfig, 'admin');
  const ignoreExists = (e) => {
    if (e.status !== 409) throw e;
  };
  await kc.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch(ignoreExists);
  await kc
    .post(paths.serviceAccounts(name), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })
    .catch(ignoreExists);
}

const meshUserBinding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'kubectl-mesh-mesh-user', namespace: DEMO_NAMESPACE },
  subjects: [{ kind: 'User', name: 'mesh-user', apiGroup: 'rbac.authorization.k8s.io' }],
  roleRef: { kind: 'ClusterRole', name: 'kubectl-mesh', apiGroup: 'rbac.authorization.k8s.io' },
};

export async function loadDemo(kubeconfig) {
  await kubectl(kubeconfig, ['apply', '-f', path.join(repo, 'manifests/demo/00-namespace.yaml')]);
  // No controller-manager runs, so nobody creates the namespace's `default` ServiceAccount: do it here.
  const kc = kubeClient(kubeconfig, 'admin');
  await kc
    .post(paths.serviceAccounts(DEMO_NAMESPACE), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })
    .catch((e) => {
      if (e.status !== 409) throw e;
    });
  await kubectl(kubeconfig, ['apply', '-f', path.join(repo, 'manifests/rbac.yaml')]);
  await kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify(meshUserBinding));
  await kubectl(kubeconfig, ['apply', '-f', path.join(repo, 'manifests/demo')]);
  await startWorkloads(kubeconfig, DEMO_NAMESPACE);
}
