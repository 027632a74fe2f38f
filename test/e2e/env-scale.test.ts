// `env NAME` across N services reads with a fixed number of list requests and writes one request per
// changed object: measured at 2 and at 50 services (two namespaces of their own), with wall times.
// The counts and times are printed as TAP comments.
//
// Measured on 2026-11-27 (kube-apiserver v1.36, istioctl 1.31 analysing once per namespace, discovery cache warm),
// -v=6 request log, one run each on a shared 2-core machine:
//   env uat, creating:   2 services 6 reads + 4 writes in 1.9 s;  50 services 6 reads + 100 writes in 3.3 s
//   env uat, unchanged:  2 services 6 reads + 0 writes in 1.0 s;  50 services 6 reads + 0 writes in 2.0 s
//   Reads: 5 lists (services, virtualservices, destinationrules, deployments, HPAs) + pods. (Before the
//   discovery cache: one more, the Istio API discovery: 7.)
import t from 'tap';
import { createNamespace, createServices, deleteNamespace, requests, scratchNamespace } from './support.js';

const small = `${scratchNamespace('e2e-envscale')}-2`;
const large = `${scratchNamespace('e2e-envscale')}-50`;

/** n services, each with a v1 and a uat Deployment (one Ready pod each). */
async function fill(ns: string, n: number): Promise<void> {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createServices(ns, 'svc', n, ['v1', 'uat']);
}

interface Measured {
  reads: number;
  writes: number;
  ms: number;
  code: number;
  stderr: string;
}

async function measure(ns: string): Promise<Measured> {
  const start = Date.now();
  const { result, lines } = await requests(['env', 'uat', '-n', ns, '--header', 'x-env=uat'], { timeoutMs: 300_000 });
  return {
    reads: lines.filter((l) => l.method === 'GET').length,
    writes: lines.filter((l) => l.method !== 'GET').length,
    ms: Date.now() - start,
    code: result.code,
    stderr: result.stderr,
  };
}

t.before(async () => {
  await fill(small, 2);
  await fill(large, 50);
});
t.teardown(async () => {
  await deleteNamespace(small);
  await deleteNamespace(large);
});

t.test('reads are constant in the number of services; writes are one per changed object', { timeout: 600_000 }, async (t) => {
  const two = await measure(small);
  const fifty = await measure(large);
  t.equal(two.code, 0, two.stderr.slice(-500));
  t.equal(fifty.code, 0, fifty.stderr.slice(-500));
  t.comment(`env uat (creates)   2 services: ${two.reads} reads + ${two.writes} writes in ${two.ms} ms`);
  t.comment(`env uat (creates)  50 services: ${fifty.reads} reads + ${fifty.writes} writes in ${fifty.ms} ms`);
  t.equal(fifty.reads, two.reads, 'the same list requests for 50 services as for 2');
  t.equal(two.writes, 4, '2 services: a DestinationRule and a VirtualService each');
  t.equal(fifty.writes, 100, '50 services: a DestinationRule and a VirtualService each');
  const again2 = await measure(small);
  const again50 = await measure(large);
  t.comment(`env uat (unchanged) 2 services: ${again2.reads} reads + ${again2.writes} writes in ${again2.ms} ms`);
  t.comment(`env uat (unchanged) 50 services: ${again50.reads} reads + ${again50.writes} writes in ${again50.ms} ms`);
  t.same([again2.writes, again50.writes], [0, 0], 're-run: nothing to write');
  t.equal(again50.reads, again2.reads, 're-run: the same reads');
});
