// A private kube-apiserver for the parity and fault tests: the test cluster's own binary, arguments
// and etcd (so it serves the same objects and accepts the same tokens), on its own port, with an
// audit log (the server's own witness of who called, from which tool) and the test CA accepted for
// client certificates. Tests may restart, freeze (SIGSTOP) or stop it without disturbing the shared
// API server other test files use. Its pid is recorded in the cluster's state dir, so cluster:down
// stops it even if a test dies.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
// @ts-expect-error -- a plain .mjs helper of the test cluster, without type declarations
import { recordPid } from '../cluster/state.mjs';

export interface AuditEvent {
  stage: string;
  verb: string;
  requestURI: string;
  userAgent?: string;
  user: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  impersonatedUser?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  responseStatus?: { code?: number };
}

export interface PrivateApiserver {
  server: string;
  port: number;
  caFile: string;
  caKey: string;
  adminToken: string;
  /** Audit events written since `mark` (a byte offset from auditMark()). */
  auditSince(mark: number): AuditEvent[];
  auditMark(): number;
  /** SIGTERM (a graceful shutdown sends GOAWAY), then the same process again on the same port. */
  restart(): Promise<void>;
  freeze(): void;
  resume(): void;
  stop(): Promise<void>;
}

const stateDir = (): string => {
  const d = process.env.MESH_TEST_STATE_DIR;
  if (!d) throw new Error('MESH_TEST_STATE_DIR is not set: run through "npm test" (see test/cluster/README.md)');
  return d;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

const AUDIT_POLICY = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n';

export async function startPrivateApiserver(name: string): Promise<PrivateApiserver> {
  const dir = stateDir();
  const main = JSON.parse(readFileSync(path.join(dir, 'pids', 'kube-apiserver'), 'utf8')) as { pid: number; binary: string };
  const mainArgs = readFileSync(`/proc/${main.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1);
  const own = path.join(dir, `private-${name}`);
  mkdirSync(own, { recursive: true });
  const port = await freePort();
  const auditLog = path.join(own, 'audit.log');
  writeFileSync(path.join(own, 'audit-policy.yaml'), AUDIT_POLICY);
  writeFileSync(auditLog, '');
  const args = [
    ...mainArgs.filter((a) => !a.startsWith('--secure-port=') && !a.startsWith('--audit-') && !a.startsWith('--client-ca-file=')),
    `--secure-port=${port}`,
    `--audit-log-path=${auditLog}`,
    `--audit-policy-file=${path.join(own, 'audit-policy.yaml')}`,
    '--audit-log-mode=blocking',
    `--client-ca-file=${path.join(dir, 'pki', 'ca.crt')}`,
  ];
  const caFile = path.join(dir, 'pki', 'ca.crt');
  const tokens = readFileSync(path.join(dir, 'tokens.csv'), 'utf8')
    .split('\n')
    .map((l) => l.split(','));
  const adminToken = tokens.find((f) => f[1] === 'admin')![0];
  const server = `https://127.0.0.1:${port}`;
  let pid = 0;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    const log = openSync(path.join(own, 'kube-apiserver.log'), 'a');
    const child = spawn(main.binary, args, { detached: true, stdio: ['ignore', log, log] });
    pid = child.pid!;
    recordPid(dir, `kube-apiserver-${name}`, pid, main.binary);
    child.unref();
    exited = new Promise((r) =>
      child.once('exit', () => {
        r();
      }),
    );
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (await ready(server, caFile, adminToken)) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`private kube-apiserver ${name} not ready after 180s; see ${own}/kube-apiserver.log`);
  };
  await launch();

  const api: PrivateApiserver = {
    server,
    port,
    caFile,
    caKey: path.join(dir, 'pki', 'ca.key'),
    adminToken,
    auditMark: () => (existsSync(auditLog) ? statSync(auditLog).size : 0),
    auditSince(mark) {
      const text = readFileSync(auditLog).subarray(mark).toString('utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent);
    },
    async restart() {
      process.kill(pid, 'SIGTERM');
      await exited;
      await launch();
    },
    freeze: () => process.kill(pid, 'SIGSTOP'),
    resume: () => process.kill(pid, 'SIGCONT'),
    async stop() {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      rmSync(path.join(dir, 'pids', `kube-apiserver-${name}`), { force: true });
    },
  };
  return api;
}

function ready(server: string, ca: string, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(
      `${server}/readyz`,
      { ca: readFileSync(ca), headers: { authorization: `Bearer ${token}` }, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => {
      resolve(false);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** The user a request acted as: the impersonated one when there was impersonation. */
export const actingUser = (e: AuditEvent): string | undefined => e.impersonatedUser?.username ?? e.user.username;
