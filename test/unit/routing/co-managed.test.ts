// Objects another controller manages are recognised by the marker it leaves on them.
import t from 'tap';
import { builtInChecks } from '../../../src/analysis/checks.js';
import { coManagerOf, describeCoManaged } from '../../../src/model/co-managed.js';
import { destinationRule, virtualService } from '../builders.js';

t.test('Argo Rollouts annotation, Flagger Canary owner, Kiali wizard label', async (t) => {
  const argo = destinationRule('reviews', ['v1']);
  argo.metadata.annotations = { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'reviews-rollout' };
  const flagger = virtualService('reviews', []);
  (flagger.metadata as Record<string, unknown>).ownerReferences = [
    { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', uid: 'u' },
  ];
  const kiali = virtualService('reviews', []);
  kiali.metadata.labels = { kiali_wizard: 'request_routing' };
  t.equal(
    describeCoManaged(argo, coManagerOf(argo)!),
    'DestinationRule shop/reviews is managed by Argo Rollouts (annotation argo-rollouts.argoproj.io/managed-by-rollouts=reviews-rollout)',
  );
  t.equal(
    describeCoManaged(flagger, coManagerOf(flagger)!),
    'VirtualService shop/reviews is managed by Flagger (ownerReference to Canary shop/reviews)',
  );
  t.equal(
    describeCoManaged(kiali, coManagerOf(kiali)!),
    'VirtualService shop/reviews is managed by a Kiali wizard (label kiali_wizard=request_routing)',
  );
  const other = virtualService('reviews', []);
  (other.metadata as Record<string, unknown>).ownerReferences = [{ apiVersion: 'example.com/v1', kind: 'Canary', name: 'x' }];
  t.equal(coManagerOf(other), undefined, 'a Canary of another API group is not Flagger');
  t.equal(coManagerOf(virtualService('reviews', [])), undefined);
  const findings = builtInChecks(
    { virtualServices: [flagger], destinationRules: [argo], services: [], pods: [] },
    { namespace: 'shop' },
  ).filter((f) => f.code === 'MESH0007');
  t.strictSame(
    findings.map((f) => [f.level, f.origin]),
    [
      ['Warning', 'VirtualService shop/reviews'],
      ['Warning', 'DestinationRule shop/reviews'],
    ],
  );
});
