// MESH0007: another controller (Argo Rollouts, Flagger, a Kiali wizard) manages the object, so what
// kubectl-mesh writes there would be overwritten on its next reconcile.
import { coManagerOf } from '../model/co-managed.js';
import { CODES } from './codes.js';
import { finding } from './finding.js';
import { originOf } from './hosts.js';
import type { Finding, Obj } from './types.js';

export function coManaged(o: Obj): Finding[] {
  const m = coManagerOf(o);
  return m
    ? [
        finding(
          CODES.CoManagedObject,
          originOf(o.kind ?? '', o),
          `Managed by ${m.name} (${m.marker}); kubectl-mesh refuses to change it (its next reconcile would overwrite the routes) unless --force is given.`,
        ),
      ]
    : [];
}
