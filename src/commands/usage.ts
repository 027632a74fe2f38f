// The usage lines that errors quote (help prints its own, shorter ones). Shared by a verb's options
// (Validate) and its run module (asking for what is missing), which must not import each other.
export const USAGE = {
  canary: 'canary WEIGHT SERVICE [-n NAMESPACE] [--stable SUBSET --canary SUBSET] [--yes]',
  rollout: 'canary SERVICE --steps 10,25,50,100 [--interval 1m] [--analysis success-rate>=99] | canary SERVICE --resume',
  env: 'env NAME [SERVICE] --header NAME=VALUE [--version V] [--services A,B] [-l SELECTOR] [--ttl 24h] [-n NAMESPACE|-A] [--yes]',
  green: 'green SERVICE [--header NAME=VALUE] [--match exact|prefix|regex] [--subset SUBSET] [-n NAMESPACE] [--yes]',
  history: 'history SERVICE [-n NAMESPACE] [-o json|yaml]',
  promote: 'promote SERVICE [--canary SUBSET] [--prune] [-n NAMESPACE] [--yes]',
  rollback: 'rollback SERVICE [--to-revision N] [-n NAMESPACE] [--yes]',
} as const;
