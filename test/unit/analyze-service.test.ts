// `analyze SERVICE` reports the findings of the routing objects that name SERVICE: by host, not by
// substring (reviews must not pick up previews).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runMain } from './run-main.js';

const objects = (name: string) => `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec: { selector: { app: ${name} }, ports: [{ name: http, port: 9080 }] }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: shop }
spec:
  hosts: [${name}]
  http:
  - route: [{ destination: { host: ${name}, subset: missing } }]
`;

t.test('analyze reviews does not report previews', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-analyze-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(path.join(dir, 'objects.yaml'), `${objects('reviews')}---${objects('previews')}`);
  const all = await runMain(['analyze', '-f', dir, '-n', 'shop', '-o', 'json'], {});
  const origins = (out: string) => [...new Set((JSON.parse(out) as { origin: string }[]).map((f) => f.origin))].sort();
  t.same(origins(all.stdout), ['VirtualService shop/previews', 'VirtualService shop/reviews'], 'both have a finding');
  const one = await runMain(['analyze', 'reviews', '-f', dir, '-n', 'shop', '-o', 'json'], {});
  t.same(origins(one.stdout), ['VirtualService shop/reviews'], one.stderr);
  t.equal(one.code, all.code);
});
