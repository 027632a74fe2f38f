// "Is this pod Ready": one rule for status, the readiness gate and the analysis checks.
import type { Pod } from './objects.js';

/** Ready condition True, and not on its way out. */
export const isPodReady = (pod: Pod): boolean =>
  !pod.metadata.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
