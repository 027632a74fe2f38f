// The cluster adapter's public surface; commands import from here only.
export { connect, resolveConnection } from './connect.js';
export type { ConnectionOptions } from './connect.js';
export type { KubeClient, ListOptions, RemoveOptions, WriteOptions } from './client.js';
export type { ResolvedConfig } from './context.js';
export { UnauthorizedError } from './errors.js';
export { apiVersionOf, RESOURCES } from './resources.js';
export type { IstioVersion, Kind, Obj, ObjectMeta } from './resources.js';
export type { ToolConnection } from './tool-kubeconfig.js';
