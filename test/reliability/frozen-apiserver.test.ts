// Faults: the API server frozen (SIGSTOP) before, between and after a command's writes. Each case
// asserts exit 7 with one error line within a bounded time, and after the server is resumed a
// consistent VirtualService (every routed subset exists in the DestinationRule, weights sum to
// 100) that a rerun converges from. A private kube-apiserver (same binary and etcd as the test
// cluster) is frozen, never the shared one; SIGCONT always follows in a finally.
//
// Bounds come from kubectl's own defaults: a new connection gives up after the 10 s TLS handshake
// timeout; a request stuck on an open HTTP/2 connection is found by the ping health check, here
// shortened with client-go's own knobs (HTTP2_READ_IDLE_TIMEOUT_SECONDS / HTTP2_PING_TIMEOUT_SECONDS)
// so the tier stays quick; one case keeps the defaults end to end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { childEnv, kubectl, mesh } from '../e2e/harness.js';
import { startPrivateApiserver, type PrivateApiserver } from '../e2e/parity-support.js';
import { createApp, createNamespace, deleteNamespace, errorLines, scratchNamespace } from '../e2e/support.js';
import { reportCategory } from './support.js';

const ns = scratchNamespace('frozen');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-frozen-'));
let api: PrivateApiserver;
let kubeconfig = '';
const results: { name: string; ok: boolean }[] = [];

/**
 * A loopback TCP relay (TLS passes through untouched) that forwards what the client sends after a
 * fixed delay. The plugin logs a response before it sends its next request; the delay lets the test
 * read that line and freeze the server before the next request's bytes reach it, so "between two
 * writes" is a deterministic point rather than a race with the plugin.
 */
async function delayingRelay(target: () => number, delayMs: number): Promise<{ port: number; close(): void }> {
  const server = net.createServer((client) => {
    const upstream = net.connect(target(), '127.0.0.1');
    client.on('data', (chunk: Buffer) => {
      setTimeout(() => {
        if (!upstream.destroyed) upstream.write(chunk);
      }, delayMs);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', () => setTimeout(() => upstream.destroy(), delayMs + 50));
    upstream.on('error', end).on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}
let relay: { port: number; close(): void };

t.before(async () => {
  api = await startPrivateApiserver(`frozen-${process.pid}`);
  relay = await delayingRelay(() => api.port, 300);
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'p',
      clusters: [{ name: 'p', cluster: { server: `https://127.0.0.1:${relay.port}`, 'certificate-authority': api.caFile } }],
      users: [{ name: 'admin', user: { token: api.adminToken } }],
      contexts: [{ name: 'p', context: { cluster: 'p', user: 'admin', namespace: ns } }],
    }),
    { mode: 0o600 },
  );
  await createNamespace(ns);
  await createApp(ns, 'web', ['v1', 'v2'], { replicas: 1 });
});
t.teardown(async () => {
  relay?.close();
  await api?.stop();
  await deleteNamespace(ns);
  rmSync(dir, { recursive: true, force: true });
  const passed = results.filter((r) => r.ok).length;
  reportCategory(
    t,
    'frozen-apiserver',
    passed,
    results.length,
    'API server frozen (SIGSTOP) before, between and after writes: exit 7, one line, bounded time, a consistent VirtualService',
  );
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  froze: boolean;
}

/**
 * Runs `kubectl mesh ARGS` against the private server (through the relay) with -v=6. `freezeOn` is
 * matched against the request log: on the first matching line (a response that arrived) the server
 * is frozen; the plugin's next request is still in the relay then, so it meets a frozen server.
 */
function runFreezing(args: string[], freezeOn: RegExp | 'before', env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    if (freezeOn === 'before') api.freeze();
    const started = Date.now();
    const child = spawn('kubectl', ['mesh', ...args, '--kubeconfig', kubeconfig, '-v=6', '--no-input'], { env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    let froze = freezeOn === 'before';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!froze && freezeOn !== 'before' && stderr.split('\n').some((l) => freezeOn.test(l))) {
        froze = true;
        api.freeze();
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: Date.now() - started, froze });
    });
  });
}

/** Every subset the VirtualService routes to exists in the DestinationRule; each route's weights sum to 100. */
async function consistent(t: Tap): Promise<void> {
  const vs = await kubectl(['get', 'virtualservice', 'web', '-n', ns, '-o', 'json']);
  if (vs.code !== 0) {
    t.match(vs.stderr, /NotFound/, 'no VirtualService: nothing half-written');
    return;
  }
  const dr = JSON.parse((await kubectl(['get', 'destinationrule', 'web', '-n', ns, '-o', 'json'])).stdout || '{}');
  const subsets = new Set((dr.spec?.subsets ?? []).map((s: { name: string }) => s.name));
  for (const route of JSON.parse(vs.stdout).spec.http ?? []) {
    const dests = route.route ?? [];
    const total = dests.reduce((n: number, d: { weight?: number }) => n + (d.weight ?? (dests.length === 1 ? 100 : 0)), 0);
    t.equal(total, 100, `route ${route.name ?? ''}: weights sum to 100`);
    for (const d of dests)
      if (d.destination.subset) t.ok(subsets.has(d.destination.subset), `subset ${d.destination.subset} exists in the DestinationRule`);
  }
}
type Tap = Pick<typeof t, 'equal' | 'ok' | 'match'>;

const SHORT_HEALTH = { HTTP2_READ_IDLE_TIMEOUT_SECONDS: '2', HTTP2_PING_TIMEOUT_SECONDS: '2' };

const cases: { name: string; args: string[]; freezeOn: RegExp | 'before'; env?: Record<string, string>; boundMs: number; says?: RegExp }[] =
  [
    {
      name: "before any request (TLS handshake timeout, kubectl's 10 s)",
      args: ['canary', '20', 'web', '-y'],
      freezeOn: 'before',
      boundMs: 25_000,
    },
    { name: 'before, read-only command', args: ['status', 'web'], freezeOn: 'before', boundMs: 25_000 },
    {
      name: 'between the DestinationRule and the VirtualService write',
      args: ['canary', '40', 'web', '-y'],
      freezeOn: /^(POST|PUT) \S+\/destinationrules\S* 20[01]/,
      env: SHORT_HEALTH,
      boundMs: 25_000,
      says: /^error: wrote DestinationRule \S+, then writing VirtualService/,
    },
    {
      name: 'after the routing writes, before the HPA writes (--scale-hpa)',
      args: ['canary', '60', 'web', '-y', '--scale-hpa'],
      freezeOn: /^(POST|PUT) \S+\/virtualservices\S* 20[01]/,
      env: SHORT_HEALTH,
      boundMs: 25_000,
      says: /^error: wrote DestinationRule \S+, wrote VirtualService \S+, then writing HorizontalPodAutoscaler/,
    },
    {
      name: 'between writes, default health check (30 s idle + 15 s ping)',
      args: ['canary', '80', 'web', '-y'],
      freezeOn: /^(POST|PUT) \S+\/destinationrules\S* 20[01]/,
      boundMs: 70_000,
      says: /did not answer a ping within 15s/,
    },
  ];

for (const c of cases) {
  t.test(`frozen ${c.name}`, { timeout: 180_000 }, async (t) => {
    // Start from no routing objects, so the canary writes the DestinationRule, then the VirtualService.
    await kubectl(['delete', 'virtualservice,destinationrule', 'web', '-n', ns, '--ignore-not-found']);
    let r: Run;
    try {
      r = await runFreezing(c.args, c.freezeOn, c.env);
    } finally {
      api.resume();
    }
    t.ok(r.froze, 'the server was frozen during the command');
    t.equal(r.code, 7, `exit 7 (unreachable); stderr: ${errorLines(r.stderr).join(' | ')}`);
    t.equal(errorLines(r.stderr).length, 1, 'one error line');
    t.match(
      errorLines(r.stderr)[0] ?? '',
      /^error: .*cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+: /,
      'names the unreachable server',
    );
    if (c.says) t.match(errorLines(r.stderr)[0] ?? '', c.says, 'says what was written before the freeze');
    t.ok(r.ms < c.boundMs, `gave up after ${r.ms} ms (bound ${c.boundMs} ms)`);
    await consistent(t);
    const rerun = await mesh([...c.args, '--kubeconfig', kubeconfig, '--no-input']);
    t.equal(rerun.code, 0, `a rerun converges: ${rerun.stderr.trim()}`);
    await consistent(t);
    results.push({ name: c.name, ok: t.passing() });
  });
}

t.test('the API server is running after the tier', async (t) => {
  const r = await kubectl(['get', '--raw', '/readyz', '--kubeconfig', kubeconfig]);
  t.equal(r.code, 0, r.stderr);
});
