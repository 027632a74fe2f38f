// workloadOf indexes each list once (by namespace, then by label pair) instead of filtering every list
// per Service: seeded random inventories must group exactly as the plain definition does.
import t from 'tap';
import { serviceSelects } from '../../../src/model/labels.js';
import type { Obj } from '../../../src/routing/types.js';
import { workloadOf, type Inventory } from '../../../src/routing/workloads.js';
import { deployment, destinationRule, hpa, pod, service, virtualService } from '../builders.js';

const seed = Number(process.env.SEED ?? 20261127);
/** mulberry32: small, seeded, good enough to pick shapes. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The definition: every object of the Service's namespace; Deployments and pods its selector picks. */
function plainWorkload(inv: Inventory, svc: Inventory['services'][number]) {
  const ns = (o: Obj) => (o.metadata.namespace ?? 'default') === (svc.metadata.namespace ?? 'default');
  const sel = svc.spec?.selector;
  return {
    service: svc,
    deployments: inv.deployments.filter(ns).filter((d) => serviceSelects(sel, d.spec?.template?.metadata?.labels)),
    pods: inv.pods.filter(ns).filter((p) => serviceSelects(sel, p.metadata.labels)),
    hpas: inv.hpas.filter(ns),
    virtualServices: inv.virtualServices.filter(ns),
    destinationRules: inv.destinationRules.filter(ns),
  };
}

t.test(`grouping equals the definition on random inventories (SEED=${seed})`, async (t) => {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  for (let round = 0; round < 50; round++) {
    const apps = Array.from({ length: 1 + Math.floor(rnd() * 8) }, (_, i) => `app${i}`);
    const namespaces = ['shop', 'dev', 'default'];
    const services = apps.map((a) => {
      const s = service(a, pick(namespaces));
      // Selectors: the usual {app}, one with two labels, an empty one, none at all.
      const shape = pick(['app', 'app+tier', 'empty', 'none'] as const);
      if (shape === 'app+tier') s.spec = { ...s.spec, selector: { app: a, tier: 'web' } };
      if (shape === 'empty') s.spec = { ...s.spec, selector: {} };
      if (shape === 'none') s.spec = { ports: s.spec?.ports };
      return s;
    });
    const deployments = apps.flatMap((a) =>
      ['v1', 'v2', 'v3'].slice(0, Math.floor(rnd() * 4)).map((v) => {
        const d = deployment(a, v, `2026-01-0${1 + Math.floor(rnd() * 9)}T00:00:00Z`, pick(namespaces));
        if (rnd() < 0.3) d.spec!.template!.metadata!.labels = { ...d.spec!.template!.metadata!.labels, tier: 'web' };
        return d;
      }),
    );
    const inv: Inventory = {
      services,
      deployments,
      pods: deployments.flatMap((d, i) => [pod(d.spec!.template!.metadata!.labels!.app, 'v1', i, rnd() < 0.5, d.metadata.namespace)]),
      hpas: apps.filter(() => rnd() < 0.5).map((a) => hpa(a, 'v1', 2, 10, pick(namespaces))),
      virtualServices: apps.filter(() => rnd() < 0.5).map((a) => virtualService(a, [], {}, pick(namespaces))),
      destinationRules: apps.filter(() => rnd() < 0.5).map((a) => destinationRule(a, ['v1'], {}, pick(namespaces))),
    };
    for (const svc of services)
      t.strictSame(workloadOf(inv, svc), plainWorkload(inv, svc), `round ${round}, ${svc.metadata.namespace}/${svc.metadata.name}`);
  }
});
