// The cluster's state dir: one per running cluster, holding everything it needs and nothing else.
//   state.json      ports, pids, paths, versions (written once the cluster is up)
//   pids/<name>     one pid file per process, written right after it is spawned (so down works after a crash)
//   logs/<name>.log process output
//   pki/, tokens.csv, kubeconfig, etcd-data/
// Location: $MESH_CLUSTER_STATE_DIR, else <os.tmpdir()>/kubectl-mesh-cluster.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function stateDir() {
  return path.resolve(process.env.MESH_CLUSTER_STATE_DIR || path.join(os.tmpdir(), 'kubectl-mesh-cluster'));
}

export function readState(dir = stateDir()) {
  const file = path.join(dir, 'state.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

export function writeState(dir, state) {
  writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state, null, 2) + '\n');
}

export function recordPid(dir, name, pid, binary) {
  mkdirSync(path.join(dir, 'pids'), { recursive: true });
  writeFileSync(path.join(dir, 'pids', name), JSON.stringify({ pid, binary }) + '\n');
}

/** Every process the cluster started, from pids/ (present even when state.json is not). */
export function recordedPids(dir = stateDir()) {
  const pidDir = path.join(dir, 'pids');
  if (!existsSync(pidDir)) return [];
  return readdirSync(pidDir).map((name) => ({ name, ...JSON.parse(readFileSync(path.join(pidDir, name), 'utf8')) }));
}

/** True if pid runs `binary` (so a recycled pid is never mistaken for ours). */
export function isOurs({ pid, binary }) {
  try {
    const exe = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return exe === binary;
  } catch {
    return false; // no such process
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export function removeStateDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Starts a test-bed process detached, its output in logs/<name>.log, its pid recorded (so cluster:down finds it). */
export function startProcess(dir, name, binary, args, env = {}) {
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const log = openSync(path.join(dir, 'logs', `${name}.log`), 'a');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  recordPid(dir, name, child.pid, binary);
  child.unref();
  // Watch the child itself: right after spawn its /proc entry may still show the forked node process.
  const proc = { pid: child.pid, exited: false };
  child.once('exit', () => {
    proc.exited = true;
  });
  return proc;
}
