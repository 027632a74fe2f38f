// Helpers for the rollout e2e files: the real Prometheus of the test bed (PROMETHEUS_URL), the
// traffic source's behaviour annotations, and a running `kubectl mesh` whose events can be awaited.
import { spawn, type ChildProcess } from 'node:child_process';
import { childEnv, kubectl, repo } from './harness.js';
import { must } from './support.js';

export const prometheusUrl = (): string => {
  const url = process.env.PROMETHEUS_URL;
  if (!url) throw new Error('PROMETHEUS_URL is not set: run through "npm test" (cluster:up starts Prometheus)');
  return url;
};

/** `canary SERVICE -n NS --steps STEPS --interval INTERVAL --check-every 1s`: the start of a rollout the tests can wait on. */
export const stepArgs = (ns: string, service: string, steps: string, interval: string): string[] => [
  'canary',
  service,
  '-n',
  ns,
  '--steps',
  steps,
  '--interval',
  interval,
  '--check-every',
  '1s',
];

/** Makes the traffic source answer `errorRate` (0..1) of `deploy`'s requests with 500, or take `p99Ms`. */
export async function behave(ns: string, deploy: string, b: { errorRate?: number; p99Ms?: number }): Promise<void> {
  const kv = [
    ...(b.errorRate === undefined ? [] : [`sim.kubectl-mesh.io/error-rate=${b.errorRate}`]),
    ...(b.p99Ms === undefined ? [] : [`sim.kubectl-mesh.io/p99-ms=${b.p99Ms}`]),
  ];
  await must(kubectl(['annotate', 'deployment', deploy, '-n', ns, '--overwrite', ...kv]), 'kubectl annotate');
}

/** Sets the request rate the traffic source sends to a Service (0: no traffic at all). */
export const rps = async (ns: string, svc: string, n: number) =>
  must(kubectl(['annotate', 'service', svc, '-n', ns, '--overwrite', `sim.kubectl-mesh.io/rps=${n}`]), 'kubectl annotate');

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first JSON event (stdout, -o json) that `match` accepts; rejects after timeoutMs. */
  event(match: (e: any) => boolean, timeoutMs?: number): Promise<any>;
  exit: Promise<number>;
}

/** `kubectl mesh ARGS` in the background (through kubectl's dispatch), for signals and live events. */
export function start(args: string[]): Running {
  const child = spawn('kubectl', ['mesh', ...args], { env: childEnv(), cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d) => {
    out += d;
    waiters.forEach((w) => {
      w();
    });
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      resolve(code ?? (signal ? 128 : 1));
    }),
  );
  const events = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    event(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no matching event within ${timeoutMs}ms; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const check = () => {
          const found = events().find(match);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        waiters.push(check);
        void exit.then(() =>
          setTimeout(() => {
            check();
            clearTimeout(timer);
            reject(new Error(`exited before a matching event; stdout:\n${out}\nstderr:\n${err}`));
          }, 50),
        );
        check();
      });
    },
  };
}

/** JSON lines of -o json output: every line must parse. */
export const jsonLines = (stdout: string): any[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
