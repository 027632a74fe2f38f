// Where routing objects come from and go to: the cluster, or YAML files (offline / GitOps).
import type { Plan } from '../routing/plan.js';
import type { Obj } from '../routing/types.js';
import type { Inventory } from '../routing/workloads.js';

export type DryRun = 'none' | 'client' | 'server';

export interface Source {
  /** False for -f files. */
  readonly live: boolean;
  /** apply() changes nothing anywhere: the command prints the resulting objects instead. */
  readonly echo?: boolean;
  /** Namespace when -n is not given. */
  readonly defaultNamespace: string;
  /** Who makes the change (kubeconfig user, or the OS user offline), for history. */
  readonly user: string;
  /** Reads what routing decisions need. `service` narrows the pod list to that service's pods. */
  inventory(namespace: string | undefined, service?: string): Promise<Inventory>;
  /**
   * Live only: what analysis reads besides the inventory (ServiceEntries, Istio Gateways) and the
   * GAMMA HTTPRoutes of any namespace (one list call each). `notices` say what could not be read.
   */
  analysisObjects?(namespace: string | undefined): Promise<AnalysisObjects>;
  /**
   * Live only: Gateway API HTTPRoutes of every namespace (one list call; the namespace's when RBAC
   * forbids the cluster-wide list). `notice` says what could not be read.
   */
  httpRoutes?(namespace: string | undefined): Promise<{ routes: Obj[]; notice?: string }>;
  /** Writes the plan in order; returns the objects as written (or as they would be). */
  apply(plan: Plan, dryRun: DryRun): Promise<Obj[]>;
}

/** `undefined` where RBAC forbade the list (the check is then skipped, and a notice says so). */
export interface AnalysisObjects {
  serviceEntries?: Obj[];
  gateways?: Obj[];
  httpRoutes: Obj[];
  notices: string[];
}
