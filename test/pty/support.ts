// Helpers for the interactive tests: a real terminal (tmux) running the real `kubectl mesh`, and a
// namespace of its own per test file with a small versioned app in it (on the test cluster that
// scripts/test.mjs starts; see test/e2e/harness.ts for the environment).
//
//   const term = await Terminal.start(t, `kubectl mesh canary -n ${ns}`);
//   await term.waitFor(/Service in/);
//   await term.keys('Down', 'Enter');
//   t.equal(await term.exitCode(), 0);
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { startWorkloads } from '../cluster/pods.mjs';
import { childEnv, getJson, kubectl, repo, type Result } from '../e2e/harness.js';

const exec = promisify(execFile);

export const kubeconfig = (): string => {
  const k = process.env.KUBECONFIG;
  if (!k) throw new Error('KUBECONFIG is not set: run the pty tests through "npm test", or export the cluster:up kubeconfig');
  return k;
};

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function must(r: Promise<Result>, what: string): Promise<Result> {
  const res = await r;
  if (res.code !== 0) throw new Error(`${what} failed (exit ${res.code}): ${res.stderr.trim()}`);
  return res;
}

const apply = (items: object[]): Promise<Result> =>
  must(kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) }), 'kubectl apply');

/**
 * A fresh namespace `<prefix>-<random>` holding Service `app` and one Deployment per version (Ready
 * pods, created oldest first). Removed again when the test ends.
 */
export async function appNamespace(t: Teardown, prefix: string, app: string, versions: string[]): Promise<string> {
  const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
  await apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio-injection': 'enabled' } } }]);
  t.teardown(() => deleteNamespace(ns));
  // No controller-manager runs here, so nobody else creates the default ServiceAccount.
  await apply([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace: ns, labels: { app } },
      spec: { selector: { app }, ports: [{ name: 'http', port: 9080, targetPort: 9080 }] },
    },
  ]);
  for (const v of versions) {
    const labels = { app, version: v };
    await apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${app}-${v}`, namespace: ns, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: app, image: `example.com/${app}:${v}`, ports: [{ containerPort: 9080 }] }] },
          },
        },
      },
    ]);
  }
  await startWorkloads(kubeconfig(), ns);
  return ns;
}

/** Without a namespace controller a deleted namespace stays Terminating: empty it and finalize it by hand. */
async function deleteNamespace(ns: string): Promise<void> {
  await kubectl([
    'delete',
    'virtualservices,destinationrules,deployments,services,endpoints,serviceaccounts',
    '--all',
    '-n',
    ns,
    '--wait=false',
  ]);
  await kubectl(['delete', 'pods', '--all', '-n', ns, '--force', '--grace-period=0', '--wait=false']);
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  const finalize = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: [] } };
  await kubectl(['replace', '--raw', `/api/v1/namespaces/${ns}/finalize`, '-f', '-'], { input: JSON.stringify(finalize) });
}

/** resourceVersion of each routing object of `app` in `ns` (undefined: it does not exist). */
export async function resourceVersions(ns: string, app: string): Promise<Record<string, string | undefined>> {
  const [vs, dr] = await Promise.all([getJson('virtualservice', app, ns), getJson('destinationrule', app, ns)]);
  return { virtualService: vs?.metadata.resourceVersion, destinationRule: dr?.metadata.resourceVersion };
}

/** `{subset: weight}` of the route named `name` (default: our primary route) of VirtualService `app`. */
export async function weightsOf(ns: string, app: string, name = 'mesh-primary'): Promise<Record<string, number>> {
  const vs = await getJson('virtualservice', app, ns);
  const route = (vs?.spec?.http ?? []).find((r: { name?: string }) => r.name === name);
  return Object.fromEntries(
    (route?.route ?? []).map((d: { destination: { subset: string }; weight?: number }) => [d.destination.subset, d.weight ?? 100]),
  );
}

let sessions = 0;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The real program in a real pseudo-terminal (a detached tmux session on a socket of its own).
 * After the command ends the pane prints `EXIT=<code>` and `TTY=<icanon/echo flags>` and stays open,
 * so tests can read the exit code and check the terminal was left in cooked mode.
 */
export class Terminal {
  private constructor(private readonly socket: string) {}

  static async start(
    t: Teardown,
    command: string,
    opts: { env?: Record<string, string | undefined>; cols?: number; rows?: number } = {},
  ): Promise<Terminal> {
    const term = new Terminal(`mesh-pty-${process.pid}-${++sessions}`);
    // The shell traps SIGINT so that Ctrl-C outside a prompt (cooked mode: a signal to the whole
    // foreground group) ends only the command, and the pane stays to show how it ended.
    const script = `trap : INT; cd ${quote(repo)} && ${command}; echo "EXIT=$?"; echo "TTY=$(stty -a | tr ' ;' '\\n\\n' | grep -x -e '-\\?icanon' -e '-\\?echo' | tr '\\n' ' ')"; exec sleep 3600`;
    // The server takes its environment from this client: the harness's allow-listed one.
    await exec(
      'tmux',
      [
        '-L',
        term.socket,
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-x',
        String(opts.cols ?? 120),
        '-y',
        String(opts.rows ?? 40),
        'sh',
        '-c',
        script,
      ],
      {
        env: { ...childEnv(opts.env), TERM: 'xterm-256color' },
      },
    ).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        throw new Error('tmux is not installed: the pty tests drive kubectl mesh in a tmux pseudo-terminal (apt-get install tmux)');
      throw err;
    });
    t.teardown(() => term.close());
    return term;
  }

  private tmux(...args: string[]): Promise<string> {
    return exec('tmux', ['-L', this.socket, ...args]).then((r) => r.stdout);
  }

  /** What the terminal shows now (text only unless `colours`, trailing blank lines dropped). */
  async screen(opts: { colours?: boolean } = {}): Promise<string> {
    return (await this.tmux('capture-pane', '-p', '-J', '-S', '-200', ...(opts.colours ? ['-e'] : []))).replace(/\s+$/, '');
  }

  /** Polls the screen until `pattern` shows, or fails with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp | string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    for (;;) {
      screen = await this.screen();
      if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; the screen shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Presses keys by tmux name: 'Enter', 'Down', 'Up', 'Escape', 'C-c', 'BSpace', … */
  async keys(...keys: string[]): Promise<void> {
    for (const k of keys) {
      await this.tmux('send-keys', k);
      await new Promise((r) => setTimeout(r, 60)); // a person's pace: one render per key
    }
  }

  /** Types text literally. */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-l', text);
  }

  /** The highlighted line of the current list (the one with the ❯ pointer). */
  async highlighted(): Promise<string | undefined> {
    const lines = (await this.screen()).split('\n');
    return lines.reverse().find((l) => l.startsWith('❯'));
  }

  /** Moves the list's pointer down (or up) until the highlighted line matches, as a person would with the arrow keys. */
  async moveTo(pattern: RegExp, direction: 'Down' | 'Up' = 'Down', max = 60): Promise<void> {
    for (let i = 0; i <= max; i++) {
      const line = await this.highlighted();
      if (line && pattern.test(line)) return;
      await this.keys(direction);
      await new Promise((r) => setTimeout(r, 60));
    }
    throw new Error(`no list entry matching ${pattern}; the screen shows:\n${await this.screen()}`);
  }

  /** The command's exit code, once it has ended. */
  async exitCode(timeoutMs = 60_000): Promise<number> {
    const m = /^EXIT=(\d+)$/m.exec(await this.waitFor(/^EXIT=\d+$/m, timeoutMs));
    return Number(m![1]);
  }

  /** After the command: `icanon echo ` when the terminal is back in cooked mode. */
  async ttyMode(): Promise<string> {
    return /^TTY=(.*)$/m.exec(await this.waitFor(/^TTY=/m))![1].trim();
  }

  async cursorVisible(): Promise<boolean> {
    return (await this.tmux('display-message', '-p', '#{cursor_flag}')).trim() === '1';
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => {});
    // tmux leaves its socket file behind.
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}
