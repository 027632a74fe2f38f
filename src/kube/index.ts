// The cluster adapter's public surface; commands import from here only.
export { connect, resolveConnection } from './client.js';
export type { ConnectionOptions, KubeClient, ListOptions, RemoveOptions, WriteOptions } from './client.js';
export type { ResolvedConfig } from './kubeconfig.js';
export { apiVersionOf, RESOURCES } from './resources.js';
export type { IstioVersion, Kind, Obj, ObjectMeta } from './resources.js';
export { UnauthorizedError } from './errors.js';
