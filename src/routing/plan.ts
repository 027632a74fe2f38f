// A plan is the ordered list of writes a verb needs. Order is make-before-break:
// new subsets and more capacity first, then the routes, then pruning and less capacity.
import { sameValue } from './equal.js';
import type { Obj } from './types.js';

export type WriteKind = 'VirtualService' | 'DestinationRule' | 'HorizontalPodAutoscaler';

export interface Write {
  action: 'create' | 'replace' | 'delete';
  kind: WriteKind;
  before?: Obj;
  /** The object to write (create/replace). */
  after?: Obj;
}

export interface Plan {
  namespace: string;
  service: string;
  /** One line for people: what the routing will be. */
  summary: string;
  writes: Write[];
  /** Subsets that receive traffic after the change (the readiness gate checks these). */
  receiving: string[];
  /** The routing objects as they will be, for analysis and printing. */
  virtualService?: Obj;
  destinationRule?: Obj;
}

const same = sameValue;

const change = (kind: WriteKind, before: Obj | undefined, after: Obj | undefined): Write | undefined => {
  if (!before && !after) return undefined;
  if (!after) return { action: 'delete', kind, before };
  if (!before) return { action: 'create', kind, after };
  return same(before, after) ? undefined : { action: 'replace', kind, before, after };
};

const subsetNames = (dr: Obj | undefined): string[] => ((dr?.spec?.subsets as { name: string }[] | undefined) ?? []).map((s) => s.name);

export interface Changes {
  vs: [Obj | undefined, Obj | undefined];
  dr: [Obj | undefined, Obj | undefined];
  /** [before, after] per HPA that changes. */
  hpas?: [Obj, Obj][];
}

const replicas = (h: Obj): number => (h.spec?.maxReplicas ?? 0) + (h.spec?.minReplicas ?? 0);

export function orderWrites({ vs, dr, hpas = [] }: Changes): Write[] {
  const drWrite = change('DestinationRule', ...dr);
  const vsWrite = change('VirtualService', ...vs);
  const adds = drWrite && subsetNames(dr[1]).some((s) => !subsetNames(dr[0]).includes(s)) && drWrite.action !== 'delete';
  const hpaWrites = hpas.map(([b, a]) => change('HorizontalPodAutoscaler', b, a)).filter((w): w is Write => !!w);
  const grow = hpaWrites.filter((w) => replicas(w.after!) > replicas(w.before!));
  const shrink = hpaWrites.filter((w) => !grow.includes(w));
  return [
    ...(adds ? [drWrite] : []),
    ...grow,
    ...(vsWrite ? [vsWrite] : []),
    ...(drWrite && !adds ? [drWrite] : []),
    ...shrink,
  ];
}
