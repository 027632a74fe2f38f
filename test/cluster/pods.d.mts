// Types for pods.mjs, so TypeScript tests can import it.
/** Marks every Pod matching `selector` (e.g. 'app=reviews,version=v2') in `ns` Ready or not; refreshes Deployment/HPA/Endpoints/EndpointSlice status. Returns the pod names. */
export function setPodsReady(kubeconfig: string, ns: string, selector: string, ready: boolean): Promise<string[]>;
/** Sets Deployment status, HPA status, Service Endpoints and EndpointSlices in `ns` from the Pods that exist now. */
export function refreshStatuses(kubeconfig: string, ns: string): Promise<void>;
/** Creates the Pods of every Deployment in `ns` (Ready) and refreshes all statuses. */
export function startWorkloads(kubeconfig: string, ns: string): Promise<void>;
export function selectorString(matchLabels: Record<string, string>): string;
export const NODE_NAME: string;
