// The platforms we ship and the Node binary each single-executable build starts from.
// Base binaries come from the npm registry (the packages `npm i node` itself installs).
// Stay on the Node 20 line the plugin is tested on; darwin-arm64 has only 20.18.1 there.

export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** @typedef {{ os: 'linux'|'darwin', arch: 'amd64'|'arm64', nodeArch: 'x64'|'arm64', nodeVersion: string }} Target */

/** @type {Target[]} */
export const TARGETS = [
  { os: 'linux', arch: 'amd64', nodeArch: 'x64', nodeVersion: '20.20.2' },
  { os: 'linux', arch: 'arm64', nodeArch: 'arm64', nodeVersion: '20.20.2' },
  { os: 'darwin', arch: 'amd64', nodeArch: 'x64', nodeVersion: '20.20.2' },
  { os: 'darwin', arch: 'arm64', nodeArch: 'arm64', nodeVersion: '20.18.1' },
];

export const targetName = (t) => `${t.os}-${t.arch}`;
export const archiveName = (t) => `kubectl-mesh_${t.os}_${t.arch}.tar.gz`;

/** The target this machine can run (code cache is only valid for the exact binary that made it). */
export function hostTarget() {
  const os = process.platform;
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
  return TARGETS.find((t) => t.os === os && t.arch === arch);
}

/** The runnable Node of the same version as `t`, used to write its SEA blob. */
export function blobMakerFor(t) {
  const host = hostTarget();
  if (!host) return undefined;
  return { ...host, nodeVersion: t.nodeVersion };
}

const QEMU = { arm64: ['qemu-aarch64', '/usr/aarch64-linux-gnu'], amd64: ['qemu-x86_64', '/usr/x86_64-linux-gnu'] };

/**
 * How to run a binary built for `t` here: [] natively, a qemu-user prefix for the other Linux
 * architecture when qemu-user and that architecture's libc are installed (Debian: qemu-user,
 * libc6-arm64-cross, libstdc++6-arm64-cross), else undefined.
 */
export function runnerFor(t, exists) {
  const host = hostTarget();
  if (host && targetName(host) === targetName(t)) return [];
  if (process.platform !== 'linux' || t.os !== 'linux') return undefined;
  const [qemu, sysroot] = QEMU[t.arch] ?? [];
  if (!qemu || !exists(sysroot)) return undefined;
  const onPath = (process.env.PATH ?? '').split(':').some((d) => d && exists(`${d}/${qemu}`));
  return onPath ? [qemu, '-L', sysroot] : undefined;
}
