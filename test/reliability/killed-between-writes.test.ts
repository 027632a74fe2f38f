// kill -9 between the DestinationRule and the VirtualService write, made exact with a real admission
// webhook on loopback: when the plugin's VirtualService write reaches the API server, the webhook
// SIGKILLs the plugin and rejects that write. The cluster then holds the new DestinationRule only
// (make-before-break: safe); rerunning the same command converges to the requested state.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import {
  applyObjects,
  childEnv,
  createApp,
  createNamespace,
  deleteNamespace,
  drOf,
  historyOf,
  kubectl,
  mesh,
  repo,
  run,
  scratchNamespace,
  Tally,
  vsOf,
  weights,
} from './support.js';

const ns = scratchNamespace('rel-kill');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-rel-kill-'));
const webhookName = `${ns}-kill-on-vs-write`;
let server: https.Server | undefined;
let victim: number | undefined;
let admissions = 0;

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled', 'mesh-reliability': ns });
  await createApp(ns, 'reviews', ['v1', 'v2'], { replicas: 1, hpa: false });
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const ssl = await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  if (ssl.code !== 0) throw new Error(`openssl: ${ssl.stderr}`);
  server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const review = JSON.parse(body);
      admissions++;
      if (victim !== undefined) {
        try {
          process.kill(victim, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      const allowed = victim === undefined;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: {
            uid: review.request.uid,
            allowed,
            ...(allowed ? {} : { status: { code: 503, message: 'the writer was killed before this write' } }),
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await applyObjects([
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: webhookName },
      webhooks: [
        {
          name: 'kill.reliability.kubectl-mesh.io',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Ignore',
          timeoutSeconds: 5,
          clientConfig: { url: `https://127.0.0.1:${port}/`, caBundle: readFileSync(cert).toString('base64') },
          namespaceSelector: { matchLabels: { 'mesh-reliability': ns } },
          rules: [
            { apiGroups: ['networking.istio.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['virtualservices'] },
          ],
        },
      ],
    },
  ]);
});
t.teardown(async () => {
  await kubectl(['delete', 'validatingwebhookconfiguration', webhookName, '--ignore-not-found']);
  server?.close();
  rmSync(dir, { recursive: true, force: true });
  await deleteNamespace(ns);
});

t.test('killed between the DestinationRule and VirtualService writes, then rerun', async (t) => {
  const tally = new Tally(t);
  // The webhook configuration takes effect asynchronously: wait until it sees VirtualService writes.
  for (let i = 0; i < 50 && admissions === 0; i++) {
    await kubectl(['annotate', 'vs', '--all', '-n', ns, `probe=${i}`, '--overwrite']);
    await applyObjects([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'probe', namespace: ns },
        spec: { hosts: ['probe'], http: [{ route: [{ destination: { host: 'probe' } }] }] },
      },
    ]);
    await new Promise((r) => setTimeout(r, 200));
  }
  t.ok(admissions > 0, 'the webhook sees VirtualService writes');
  const code = await new Promise<number | string | null>((resolve) => {
    const child = spawn('kubectl', ['mesh', 'canary', '30', 'reviews', '-n', ns], { cwd: repo, env: childEnv(), stdio: 'ignore' });
    victim = child.pid;
    child.on('exit', (c, signal) => {
      resolve(signal ?? c);
    });
  });
  victim = undefined;
  const dr = await drOf('reviews', ns);
  const vs = await vsOf('reviews', ns);
  const cases: [boolean, string][] = [
    [code === 'SIGKILL', `the plugin was killed at its VirtualService write (${code})`],
    [
      JSON.stringify((dr?.spec?.subsets ?? []).map((s: { name: string }) => s.name)) === '["v1","v2"]',
      'the DestinationRule write had landed (subsets v1, v2)',
    ],
    [vs === undefined, 'the VirtualService write had not'],
  ];
  const again = await mesh(['canary', '30', 'reviews', '-n', ns]);
  const after = await vsOf('reviews', ns);
  const history = historyOf(after);
  cases.push([again.code === 0, `the rerun succeeds (${again.code}: ${again.stderr.trim().split('\n').at(-1)})`]);
  cases.push([
    JSON.stringify(weights(after)) === '{"v1":70,"v2":30}',
    `converged to the requested split (${JSON.stringify(weights(after))})`,
  ]);
  cases.push([
    history.length === 2 && history[1].change.includes('30%'),
    `history: baseline + one revision (${history.map((h: { change: string }) => h.change).join(' | ')})`,
  ]);
  const status = await mesh(['status', 'reviews', '-n', ns]);
  cases.push([status.code === 0 && !/!/.test(status.stdout), 'status shows no warning']);
  for (const [ok, what] of cases) {
    t.ok(ok, what);
    tally.record('killed-between-writes', ok, 'SIGKILL at the VirtualService write (admission webhook): DR only, then a rerun converges');
  }
});
