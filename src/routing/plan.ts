// A plan is the ordered list of writes a verb needs. Order is make-before-break:
// new subsets and more capacity first, then the routes, then pruning and less capacity.
import { sameValue } from '../model/equal.js';
import type { DestinationRule, HorizontalPodAutoscaler, VirtualService } from './types.js';

/** The objects a plan writes, by kind. */
interface Written {
  VirtualService: VirtualService;
  DestinationRule: DestinationRule;
  HorizontalPodAutoscaler: HorizontalPodAutoscaler;
}
export type WriteKind = keyof Written;

export interface WriteOf<K extends WriteKind> {
  action: 'create' | 'replace' | 'delete';
  kind: K;
  before?: Written[K];
  /** The object to write (create/replace). */
  after?: Written[K];
}
export type Write = WriteOf<'VirtualService'> | WriteOf<'DestinationRule'> | WriteOf<'HorizontalPodAutoscaler'>;

export interface Plan {
  namespace: string;
  service: string;
  /** One line for people: what the routing will be. */
  summary: string;
  writes: Write[];
  /** Subsets that receive traffic after the change (the readiness gate checks these). */
  receiving: string[];
  /** The routing objects as they will be, for analysis and printing. */
  virtualService?: VirtualService;
  destinationRule?: DestinationRule;
}

const same = sameValue;

const change = <K extends WriteKind>(kind: K, before: Written[K] | undefined, after: Written[K] | undefined): WriteOf<K> | undefined => {
  if (!before && !after) return undefined;
  if (!after) return { action: 'delete', kind, before };
  if (!before) return { action: 'create', kind, after };
  return same(before, after) ? undefined : { action: 'replace', kind, before, after };
};

const subsetNames = (dr: DestinationRule | undefined): string[] => (dr?.spec?.subsets ?? []).map((s) => s.name);

export interface Changes {
  vs: [VirtualService | undefined, VirtualService | undefined];
  dr: [DestinationRule | undefined, DestinationRule | undefined];
  /** [before, after] per HPA that changes. */
  hpas?: [HorizontalPodAutoscaler, HorizontalPodAutoscaler][];
}

const replicas = (h: HorizontalPodAutoscaler): number => (h.spec?.maxReplicas ?? 0) + (h.spec?.minReplicas ?? 0);

export function orderWrites({ vs, dr, hpas = [] }: Changes): Write[] {
  const drWrite = change('DestinationRule', ...dr);
  const vsWrite = change('VirtualService', ...vs);
  const adds = drWrite && subsetNames(dr[1]).some((s) => !subsetNames(dr[0]).includes(s)) && drWrite.action !== 'delete';
  const hpaWrites = hpas.map(([b, a]) => change('HorizontalPodAutoscaler', b, a)).filter((w) => w !== undefined);
  const grow = hpaWrites.filter((w) => replicas(w.after!) > replicas(w.before!));
  const shrink = hpaWrites.filter((w) => !grow.includes(w));
  return [...(adds ? [drWrite] : []), ...grow, ...(vsWrite ? [vsWrite] : []), ...(drWrite && !adds ? [drWrite] : []), ...shrink];
}
