// Replaced at bundle time by scripts/build.mjs; "dev" when run from source (tests).
declare const __MESH_VERSION__: string | undefined;
export const clientVersion: string = typeof __MESH_VERSION__ === 'string' ? __MESH_VERSION__ : '0.0.0-dev';
