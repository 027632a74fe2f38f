// Shell completion against the real cluster: kubectl's own plugin completion (`kubectl __complete
// mesh …`, what kubectl's shell scripts call) runs the kubectl_complete-mesh helper that
// `kubectl mesh completion --kubectl-plugin` wrote; and the bash/zsh/fish scripts in their shells.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { contexts, kubectl, mesh, namespace, repo, run, type RunOptions } from './harness.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-completion-'));
t.teardown(() => {
  rmSync(scratch, { recursive: true, force: true });
});
const helperDir = path.join(scratch, 'bin');
const PATH = [helperDir, path.join(repo, 'plugin'), process.env.PATH ?? ''].join(path.delimiter);
const withHelper: RunOptions = { env: { PATH } };

/** kubectl's completion entry point for `kubectl mesh WORDS…`; returns the candidates and the directive. */
async function complete(...words: string[]) {
  const r = await kubectl(['__complete', 'mesh', ...words], withHelper);
  const lines = r.stdout.trimEnd().split('\n');
  const directive = lines.pop() ?? '';
  return { code: r.code, stderr: r.stderr, directive, values: lines.map((l) => l.split('\t')[0]), lines };
}

/**
 * A cluster look-up: by design it gives up silently after 1 s (LOOKUP_TIMEOUT_MS), which a loaded CI machine
 * (2 cores, e2e files side by side, istiod, Prometheus) sometimes exceeds. Ask again, a few times, while the
 * answer is empty: a look-up that never answers still fails the test.
 */
async function completeLive(...words: string[]) {
  let r = await complete(...words);
  for (let attempt = 1; attempt < 5 && r.code === 0 && !r.values.length; attempt++) r = await complete(...words);
  return r;
}

const names = async (args: string[]) => {
  const r = await kubectl([...args, '-o', 'jsonpath={.items[*].metadata.name}']);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.split(/\s+/).filter(Boolean).sort();
};

t.before(async () => {
  execFileSync('mkdir', ['-p', helperDir]);
  const r = await mesh(['completion', '--kubectl-plugin', helperDir], withHelper);
  if (r.code !== 0) throw new Error(`completion --kubectl-plugin: ${r.stderr}`);
});

t.test('kubectl finds the helper and gets the verbs, in cobra format', async (t) => {
  const r = await complete('');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /About to call: .*kubectl_complete-mesh/, 'kubectl ran our helper');
  t.equal(r.directive, ':4', 'NoFileComp');
  t.ok(
    ['canary', 'green', 'status', 'promote', 'rollback', 'version', 'completion'].every((v) => r.values.includes(v)),
    r.values.join(' '),
  );
  t.notOk(r.values.includes('__complete'));
  t.match(
    r.lines.find((l) => l.startsWith('canary\t')),
    /^canary\t\S/,
    'with a description',
  );
  t.same((await complete('prom')).values, ['promote']);
});

t.test('flags of the verb and the common ones', async (t) => {
  t.same((await complete('canary', '20', 'reviews', '--st')).values, ['--stable', '--steps']);
  t.ok((await complete('status', '--')).values.includes('--all-namespaces'));
  t.same((await complete('status', '-o', '')).values, ['table', 'json', 'yaml']);
});

/**
 * Other test files create and delete namespaces meanwhile (the tier runs files side by side): the
 * candidates must hold every namespace there before and after, and only namespaces there at some point.
 */
async function namespacesAround(t: Test, what: string, candidates: () => Promise<string[]>): Promise<string[]> {
  const before = await names(['get', 'namespaces']);
  const got = await candidates();
  const after = await names(['get', 'namespaces']);
  t.same(
    before.filter((n) => after.includes(n)).filter((n) => !got.includes(n)),
    [],
    `${what}: every namespace that stayed is offered`,
  );
  t.same(
    got.filter((n) => !before.includes(n) && !after.includes(n)),
    [],
    `${what}: nothing but namespaces`,
  );
  return got;
}

t.test('namespaces, services and subsets come from the cluster', async (t) => {
  let ns = await completeLive('-n', '');
  await namespacesAround(t, 'kubectl __complete', async () => (ns = await completeLive('-n', '')).values);
  t.equal(ns.directive, ':4');
  t.ok(ns.values.includes(namespace));

  const services = await names(['get', 'services', '-n', namespace]);
  t.ok(services.length >= 2, 'the demo app has services');
  t.same((await completeLive('canary', '20', '-n', namespace, '')).values, services);
  t.same(
    (await completeLive('status', '-n', namespace, services[0].slice(0, 2))).values,
    services.filter((s) => s.startsWith(services[0].slice(0, 2))),
  );
  t.same((await complete('-n', 'kube-public', 'status', '')).values, [], 'namespace typed on the line is used');

  // Subsets: the DestinationRule's, plus the version labels of the Deployments the Service selects.
  const drs = JSON.parse((await kubectl(['get', 'destinationrules', '-n', namespace, '-o', 'json'])).stdout).items;
  const dr = drs.find((d: any) => d.spec?.subsets?.length);
  t.ok(dr, 'the demo has a DestinationRule with subsets');
  const host = String(dr.spec.host).split('.')[0];
  const svc = JSON.parse((await kubectl(['get', 'service', host, '-n', namespace, '-o', 'json'])).stdout);
  const deps = JSON.parse((await kubectl(['get', 'deployments', '-n', namespace, '-o', 'json'])).stdout).items;
  const versions = deps
    .map((d: any) => d.spec.template.metadata.labels)
    .filter((l: Record<string, string>) => Object.entries(svc.spec.selector).every(([k, v]) => l[k] === v))
    .map((l: Record<string, string>) => l.version);
  const expected = [...new Set([...dr.spec.subsets.map((s: any) => s.name), ...versions])].sort();
  t.same((await completeLive('canary', '20', host, '-n', namespace, '--stable', '')).values, expected);
  t.same((await completeLive('canary', '20', host, '-n', namespace, '--canary=')).values, expected, '--flag= form');
});

t.test('contexts come from the kubeconfig, and connection flags on the line are honoured', async (t) => {
  const r = await complete('--context', '');
  t.same(r.values, [contexts.admin, contexts.meshUser].sort());
  t.same((await complete('--context', 'me')).values, [contexts.meshUser]);
  // mesh-user may list services in its namespace but not namespaces cluster-wide: silence, no error.
  const asUser = await complete('--context', contexts.meshUser, '-n', '');
  t.equal(asUser.code, 0);
  const asAdmin = await complete('--context', contexts.admin, '-n', '');
  t.ok(asAdmin.values.length > asUser.values.length || asUser.values.length === 0, 'the context typed is the one used');
});

t.test('a cluster that never answers gives no candidates, no error text, within the time limit', async (t) => {
  // A local server that accepts connections and never says a word (a hung API server).
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => {
    sockets.push(s);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    sockets.forEach((s) => s.destroy());
    silent.close();
  });
  const port = (silent.address() as net.AddressInfo).port;
  const cfg = path.join(scratch, 'dead.kubeconfig');
  writeFileSync(
    cfg,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: dead',
      `clusters: [{name: dead, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      'contexts: [{name: dead, context: {cluster: dead, user: u}}]',
      'users: [{name: u, user: {token: x}}]',
      '',
    ].join('\n'),
  );
  const r = await kubectl(['__complete', 'mesh', '--kubeconfig', cfg, 'status', ''], withHelper);
  t.equal(r.code, 0);
  t.equal(r.stdout, ':4\n');
  t.notMatch(r.stderr, /error/i);
  t.ok(sockets.length > 0, 'the plugin did try the cluster');
  // kubectl itself spends a few seconds on that kubeconfig before it runs the helper; time ours alone,
  // against the same helper completing a verb (no look-up), so a busy machine's start-up cost cancels out.
  const timed = async (args: string[]) => {
    const started = Date.now();
    const r = await run(path.join(helperDir, 'kubectl_complete-mesh'), args, withHelper);
    return { ...r, ms: Date.now() - started };
  };
  const baseline = await timed(['--kubeconfig', cfg, 'sta']);
  t.match(baseline.stdout, /^status\t/, 'baseline: verbs complete without the cluster');
  const direct = await timed(['--kubeconfig', cfg, 'status', '']);
  t.equal(direct.stdout, ':4\n');
  t.equal(direct.stderr, '');
  t.ok(direct.ms - baseline.ms < 2000, `the look-up added ${direct.ms - baseline.ms} ms to ${baseline.ms} ms (look-ups give up after 1 s)`);
});

t.test('bash, zsh and fish scripts complete kubectl-mesh through the same protocol', async (t) => {
  const env = { PATH };
  const script = async (shell: string) => {
    const r = await mesh(['completion', shell]);
    t.equal(r.code, 0, r.stderr);
    const file = path.join(scratch, `kubectl-mesh.${shell}`);
    writeFileSync(file, r.stdout);
    return file;
  };

  const bashFile = await script('bash');
  const bash = await run(
    'bash',
    [
      '-c',
      `source ${bashFile}; COMP_LINE="kubectl-mesh -n "; COMP_POINT=\${#COMP_LINE}; __kubectl_mesh_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { env },
  );
  t.equal(bash.code, 0, bash.stderr);
  await namespacesAround(t, 'bash', async () => bash.stdout.trim().split('\n').sort());

  const zshFile = await script('zsh');
  const zsh = await run(
    'zsh',
    [
      '-c',
      `compdef(){}; _describe(){ print -l -- "\${(@P)2}" "opts:\${@[3,-1]}"; }; source ${zshFile}; words=(kubectl-mesh status --output=j); CURRENT=3; _kubectl_mesh`,
    ],
    { env },
  );
  if (zsh.code === 127) t.comment('zsh is not installed: its script was not run');
  else t.same(zsh.stdout.trim().split('\n'), ['json', 'opts:-V', 'kubectl-mesh', '-P', '--output='], 'zsh: values with the --flag= prefix');

  const fishFile = await script('fish');
  const fish = await run(
    'fish',
    ['-c', `source ${fishFile}; complete -C "kubectl-mesh --namespace=${namespace.slice(0, 2)}"; complete -C "kubectl-mesh sta"`],
    { env },
  );
  if (fish.code === 127) t.comment('fish is not installed: its script was not run');
  else {
    const lines = fish.stdout.trim().split('\n');
    t.ok(lines.includes(`--namespace=${namespace}`), lines.join(' | '));
    t.ok(
      lines.some((l) => l.startsWith('status\t')),
      'fish shows descriptions',
    );
  }
});
