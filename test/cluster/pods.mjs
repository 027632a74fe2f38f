// Plays the parts of the kubelet and the controllers that the test cluster does not run, as kwok does:
// creates each Deployment's Pods, marks them Ready (or not) through the status subresource, and keeps
// Deployment, HPA, Endpoints and EndpointSlices in step (istiod reads the slices: a subset has endpoints
// only through them). Tests import these to change what the cluster reports:
//
//   import { setPodsReady } from '../cluster/pods.mjs';
//   await setPodsReady(process.env.KUBECONFIG, 'shop', 'app=reviews,version=v2', false);
import { readFileSync } from 'node:fs';
import { kubeClient, paths, selectorString } from './kube.mjs';

const versionsFile = new URL('./versions.json', import.meta.url);
const istioRelease = JSON.parse(readFileSync(versionsFile, 'utf8')).istio.release;

export const NODE_NAME = 'mesh-test-node';

function podIP(index) {
  return `10.244.${Math.floor(index / 250)}.${(index % 250) + 2}`;
}

function podStatus(pod, ready, ip) {
  const now = new Date().toISOString();
  const cond = (type, status) => ({ type, status: status ? 'True' : 'False', lastTransitionTime: now });
  return {
    phase: 'Running',
    conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: pod.status?.startTime ?? now,
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: pod.status?.startTime ?? now } },
    })),
  };
}

// What Istio's sidecar injector adds to a Pod in a namespace labelled istio-injection=enabled
// (only what `istioctl analyze` looks at: the istio-proxy container and the status annotation).
function injectSidecar(spec, annotations = {}) {
  const proxy = { name: 'istio-proxy', image: `docker.io/istio/proxyv2:${istioRelease}`, args: ['proxy', 'sidecar'] };
  return {
    spec: { ...spec, containers: [...spec.containers, proxy] },
    annotations: { ...annotations, 'sidecar.istio.io/status': JSON.stringify({ containers: ['istio-proxy'], volumes: [] }) },
  };
}

/** Creates `replicas` Pods for a Deployment (names <deploy>-0, -1, ...), Ready. Existing ones are kept. */
export async function createPodsFor(kc, deployment, ipBase, { inject = false } = {}) {
  const ns = deployment.metadata.namespace;
  const tmpl = deployment.spec.template;
  const pods = [];
  for (let i = 0; i < (deployment.spec.replicas ?? 1); i++) {
    const name = `${deployment.metadata.name}-${i}`;
    let pod;
    try {
      pod = await kc.get(paths.pods(ns, name));
    } catch (e) {
      if (e.status !== 404) throw e;
      const { spec, annotations } = inject ? injectSidecar(tmpl.spec, tmpl.metadata.annotations) : tmpl;
      pod = await kc.post(paths.pods(ns), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          labels: tmpl.metadata.labels,
          annotations: inject ? annotations : tmpl.metadata.annotations,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: deployment.metadata.uid }],
        },
        spec: { ...spec, nodeName: NODE_NAME },
      });
    }
    pods.push(await kc.mergePatch(`${paths.pods(ns, name)}/status`, { status: podStatus(pod, true, podIP(ipBase + i)) }));
  }
  return pods;
}

/** Marks every Pod matching `selector` (e.g. 'app=reviews,version=v2') in `ns` Ready or not Ready, then refreshes statuses. */
export async function setPodsReady(kubeconfig, ns, selector, ready) {
  const kc = kubeClient(kubeconfig, 'admin');
  const { items } = await kc.get(`${paths.pods(ns)}?labelSelector=${encodeURIComponent(selector)}`);
  for (const pod of items) {
    await kc.mergePatch(`${paths.pods(ns, pod.metadata.name)}/status`, { status: podStatus(pod, ready, pod.status.podIP) });
  }
  await refreshStatuses(kubeconfig, ns);
  return items.map((p) => p.metadata.name);
}

function matches(labels = {}, matchLabels = {}) {
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

const isReady = (pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** Sets Deployment status, HPA status, Service Endpoints and EndpointSlices in `ns` from the Pods that exist there now. */
export async function refreshStatuses(kubeconfig, ns) {
  const kc = kubeClient(kubeconfig, 'admin');
  const [pods, deployments, hpas, services] = await Promise.all(
    [paths.pods(ns), paths.deployments(ns), paths.hpas(ns), paths.services(ns)].map((p) => kc.get(p).then((l) => l.items)),
  );

  for (const d of deployments) {
    const mine = pods.filter((p) => matches(p.metadata.labels, d.spec.selector.matchLabels));
    const ready = mine.filter(isReady).length;
    const cond = (type, ok, reason) => ({
      type,
      status: ok ? 'True' : 'False',
      reason,
      lastUpdateTime: new Date().toISOString(),
      lastTransitionTime: new Date().toISOString(),
    });
    await kc.mergePatch(`${paths.deployments(ns, d.metadata.name)}/status`, {
      status: {
        observedGeneration: d.metadata.generation,
        replicas: mine.length,
        updatedReplicas: mine.length,
        readyReplicas: ready,
        availableReplicas: ready,
        unavailableReplicas: mine.length - ready,
        conditions: [
          cond(
            'Available',
            ready >= (d.spec.replicas ?? 1),
            ready >= (d.spec.replicas ?? 1) ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          ),
          cond('Progressing', true, 'NewReplicaSetAvailable'),
        ],
      },
    });
  }

  for (const h of hpas) {
    const target = deployments.find((d) => d.metadata.name === h.spec.scaleTargetRef.name);
    const current = target ? pods.filter((p) => matches(p.metadata.labels, target.spec.selector.matchLabels)).length : 0;
    const desired = Math.min(Math.max(current, h.spec.minReplicas ?? 1), h.spec.maxReplicas);
    await kc.mergePatch(`${paths.hpas(ns, h.metadata.name)}/status`, {
      status: { observedGeneration: h.metadata.generation, currentReplicas: current, desiredReplicas: desired },
    });
  }

  for (const s of services) {
    if (!s.spec.selector) continue;
    const mine = pods.filter((p) => matches(p.metadata.labels, s.spec.selector));
    const address = (p) => ({
      ip: p.status.podIP,
      nodeName: p.spec.nodeName,
      targetRef: { kind: 'Pod', name: p.metadata.name, namespace: ns, uid: p.metadata.uid },
    });
    const subset = {
      addresses: mine.filter(isReady).map(address),
      notReadyAddresses: mine.filter((p) => !isReady(p)).map(address),
      ports: s.spec.ports.map((p) => ({
        name: p.name,
        port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
        protocol: p.protocol ?? 'TCP',
      })),
    };
    const body = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: s.metadata.name, namespace: ns, labels: s.metadata.labels },
      subsets: subset.addresses.length || subset.notReadyAddresses.length ? [subset] : [],
    };
    await upsert(kc, paths.endpoints(ns), s.metadata.name, body);
    await upsert(kc, paths.endpointSlices(ns), s.metadata.name, endpointSlice(s, mine));
  }
}

async function upsert(kc, collection, name, body) {
  try {
    await kc.put(`${collection}/${name}`, body);
  } catch (e) {
    if (e.status !== 404) throw e;
    await kc.post(collection, body);
  }
}

/** The EndpointSlice the endpointslice controller would write: every selected Pod, ready or not as its Ready condition says. */
function endpointSlice(service, pods) {
  const ns = service.metadata.namespace;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: 'IPv4',
    metadata: {
      name: service.metadata.name,
      namespace: ns,
      labels: { 'kubernetes.io/service-name': service.metadata.name, 'endpointslice.kubernetes.io/managed-by': 'kubectl-mesh-test' },
    },
    endpoints: pods.map((p) => ({
      addresses: [p.status.podIP],
      nodeName: p.spec.nodeName,
      conditions: { ready: isReady(p), serving: isReady(p), terminating: false },
      targetRef: { kind: 'Pod', name: p.metadata.name, namespace: ns, uid: p.metadata.uid },
    })),
    ports: service.spec.ports.map((p) => ({
      name: p.name ?? '',
      port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
      protocol: p.protocol ?? 'TCP',
    })),
  };
}

/** Creates the Pods of every Deployment in `ns` and refreshes all statuses. */
export async function startWorkloads(kubeconfig, ns) {
  const kc = kubeClient(kubeconfig, 'admin');
  const namespace = await kc.get(`/api/v1/namespaces/${ns}`);
  const inject = namespace.metadata.labels?.['istio-injection'] === 'enabled';
  const { items } = await kc.get(paths.deployments(ns));
  items.sort(
    (a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name),
  );
  let ipBase = 0;
  for (const d of items) {
    await createPodsFor(kc, d, ipBase, { inject });
    ipBase += d.spec.replicas ?? 1;
  }
  await refreshStatuses(kubeconfig, ns);
}

export { selectorString };
