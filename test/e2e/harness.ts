// The e2e harness: run kubectl, `kubectl mesh` (through kubectl's real plugin dispatch) and istioctl
// against the test cluster that `npm test` starts (see scripts/test.mjs for the env it exports).
// Every call resolves to { code, stdout, stderr } and never throws; the child gets an allow-listed env
// (no NODE_OPTIONS from tap, no stray KUBE* settings), with <repo>/plugin first on PATH.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the child's stdin. */
  input?: string;
  /** Extra or overriding environment variables (undefined removes one). */
  env?: Record<string, string | undefined>;
  /** Kills the child after this many ms (default 60 s); code is then 124. */
  timeoutMs?: number;
  cwd?: string;
}

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const namespace = process.env.MESH_TEST_NAMESPACE ?? 'shop';
/** kubeconfig contexts of the test cluster. */
export const contexts = { admin: 'admin', meshUser: 'mesh-user' } as const;

const ALLOWED_ENV = ['HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'TERM', 'TZ', 'KUBECONFIG', 'ISTIOCTL'];

/** The environment a child gets: allow-listed variables, MESH_TEST_*, PATH with <repo>/plugin first. */
export function childEnv(extra: RunOptions['env'] = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && (ALLOWED_ENV.includes(k) || k.startsWith('MESH_TEST_'))) env[k] = v;
  }
  env.PATH = [path.join(repo, 'plugin'), process.env.PATH ?? ''].join(path.delimiter);
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      {
        env: childEnv(opts.env),
        cwd: opts.cwd ?? repo,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 << 20,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        let code = 0;
        if (e) code = e.killed ? 124 : typeof e.code === 'number' ? e.code : 127;
        resolve({ code, stdout, stderr: e && typeof e.code === 'string' ? `${stderr}${e.message}` : stderr });
      },
    );
    child.stdin?.on('error', () => {}); // a child that exits without reading its stdin: EPIPE, not a crash
    child.stdin?.end(opts.input ?? '');
  });
}

/** kubectl with the test KUBECONFIG (current context: admin, namespace shop). */
export function kubectl(args: string[], opts: RunOptions = {}): Promise<Result> {
  return run('kubectl', args, opts);
}

/** `kubectl mesh ...` through kubectl's plugin dispatch (finds <repo>/plugin/kubectl-mesh on PATH). */
export function mesh(args: string[], opts: RunOptions = {}): Promise<Result> {
  return run('kubectl', ['mesh', ...args], opts);
}

/** The istioctl built for the test cluster ($ISTIOCTL, else istioctl on PATH). */
export function istioctl(args: string[], opts: RunOptions = {}): Promise<Result> {
  return run(process.env.ISTIOCTL ?? 'istioctl', args, opts);
}

/** One object as JSON via kubectl (admin), or undefined if it does not exist. Throws on other errors. */
export async function getJson<T = any>(kind: string, name: string, ns: string = namespace, opts: RunOptions = {}): Promise<T | undefined> {
  const r = await kubectl(['get', kind, name, '-n', ns, '-o', 'json'], opts);
  if (r.code === 0) return JSON.parse(r.stdout) as T;
  if (/NotFound|not found/.test(r.stderr)) return undefined;
  throw new Error(`kubectl get ${kind} ${name} -n ${ns}: ${r.stderr.trim()}`);
}
