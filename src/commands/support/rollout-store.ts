// Reads and writes the rollout's state on its VirtualService: a GET and a PUT carrying the
// resourceVersion read, re-read on a conflict. Before each write it checks the rollout is still
// this process's: `rollback` aborts it, a `--resume` elsewhere takes it over.
import { ConflictError, MeshError, ExitCode } from '../../errors.js';
import type { KubeClient } from '../../kube/index.js';
import { readRollout, withRollout } from '../../rollout/state.js';
import type { RolloutState } from '../../rollout/types.js';
import type { Obj } from '../../routing/types.js';

const ATTEMPTS = 5;

/** The rollout is no longer this process's to drive. */
export class RolloutLost extends MeshError {}

export function checkOwnership(cur: RolloutState | undefined, id: string, owner: string, where: string): RolloutState {
  if (!cur || cur.id !== id) {
    throw new RolloutLost(`the rollout on ${where} was replaced or removed by someone else; stopping`, ExitCode.conflict);
  }
  if (cur.phase === 'aborted')
    throw new RolloutLost(`the rollout on ${where} was aborted${cur.reason ? `: ${cur.reason}` : ''}`, ExitCode.failed);
  if (cur.owner !== owner) {
    throw new RolloutLost(`another kubectl mesh process took the rollout on ${where} over (--resume); stopping here`, ExitCode.conflict);
  }
  return cur;
}

export class RolloutStore {
  /** Set once the VirtualService exists (the first step may create it). */
  vsName?: string;

  constructor(
    private readonly kube: KubeClient,
    readonly namespace: string,
    readonly id: string,
    public owner: string,
  ) {}

  get where(): string {
    return `${this.namespace}/${this.vsName ?? '?'}`;
  }

  async read(): Promise<{ vs?: Obj; state?: RolloutState }> {
    if (!this.vsName) return {};
    const vs = await this.kube.get('VirtualService', this.namespace, this.vsName);
    return { vs, state: readRollout(vs) };
  }

  /** Applies `change` to the recorded state (still ours, else RolloutLost) and writes it back. */
  async update(change: (cur: RolloutState) => RolloutState, opts: { takeOver?: boolean } = {}): Promise<RolloutState> {
    for (let attempt = 1; ; attempt++) {
      const { vs, state } = await this.read();
      if (!vs) throw new RolloutLost(`the VirtualService ${this.where} of the rollout is gone; stopping`, ExitCode.notFound);
      // A --resume takes over whoever drove it before (a killed CI job, a lost terminal).
      const next = change(checkOwnership(state, this.id, opts.takeOver ? (state?.owner ?? this.owner) : this.owner, this.where));
      try {
        await this.kube.replace('VirtualService', withRollout(vs, next));
        return next;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= ATTEMPTS) throw err;
      }
    }
  }
}
