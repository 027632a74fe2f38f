// A minimal Kubernetes REST client for the test cluster's own kubeconfig (token users, embedded CA).
// Used by the demo loader and by tests that play kubelet/controllers (pods.mjs). Plain https, no deps
// beyond `yaml`.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import YAML from 'yaml';

/** Reads `kubeconfig` and returns a client for `context` (default: its current-context). */
export function kubeClient(kubeconfig, context) {
  const cfg = YAML.parse(readFileSync(kubeconfig, 'utf8'));
  const ctx = cfg.contexts.find((c) => c.name === (context || cfg['current-context'])).context;
  const cluster = cfg.clusters.find((c) => c.name === ctx.cluster).cluster;
  const user = cfg.users.find((u) => u.name === ctx.user).user;
  const server = new URL(cluster.server);
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64');

  function request(method, urlPath, body, contentType = 'application/json') {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          host: server.hostname,
          port: server.port,
          path: urlPath,
          method,
          ca,
          headers: {
            authorization: `Bearer ${user.token}`,
            accept: 'application/json',
            ...(data ? { 'content-type': contentType, 'content-length': Buffer.byteLength(data) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => {
            const json = text ? safeJson(text) : undefined;
            if (res.statusCode >= 400) {
              const err = new Error(`${method} ${urlPath}: ${res.statusCode} ${json?.message ?? text}`);
              err.status = res.statusCode;
              reject(err);
            } else resolve(json);
          });
        },
      );
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  return {
    server: cluster.server,
    namespace: ctx.namespace,
    get: (p) => request('GET', p),
    post: (p, body) => request('POST', p, body),
    put: (p, body) => request('PUT', p, body),
    delete: (p) => request('DELETE', p),
    mergePatch: (p, body) => request('PATCH', p, body, 'application/merge-patch+json'),
  };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** REST paths for the kinds the test bed touches. */
export const paths = {
  pods: (ns, name = '') => `/api/v1/namespaces/${ns}/pods${name && `/${name}`}`,
  deployments: (ns, name = '') => `/apis/apps/v1/namespaces/${ns}/deployments${name && `/${name}`}`,
  hpas: (ns, name = '') => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers${name && `/${name}`}`,
  services: (ns, name = '') => `/api/v1/namespaces/${ns}/services${name && `/${name}`}`,
  endpoints: (ns, name = '') => `/api/v1/namespaces/${ns}/endpoints${name && `/${name}`}`,
  endpointSlices: (ns, name = '') => `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices${name && `/${name}`}`,
  serviceAccounts: (ns, name = '') => `/api/v1/namespaces/${ns}/serviceaccounts${name && `/${name}`}`,
};

/** `matchLabels` → a label selector string (`a=b,c=d`). */
export function selectorString(matchLabels) {
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
