// The pure parts of shell completion: what to offer for a command line, cobra's wire format,
// subset names, and the scripts and helper we print.
import { mkdtempSync, readFileSync, rmSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runMain } from './run-main.js';
import { commonFlags } from '../../src/cli/global-flags.js';
import type { Command } from '../../src/commands/command.js';
import { Directive, formatCompletions, planCompletion, positionalSlots, subsetNames, type Plan } from '../../src/ui/completion-plan.js';
import { defaultHelperDir } from '../../src/commands/run/completion.js';
import { commands } from '../../src/commands/index.js';
import { completionScript, pluginHelper } from '../../src/ui/completion-scripts.js';

const reg = { commands, common: commonFlags };
const plan = (...words: string[]): Plan => planCompletion(words, reg);
const values = (p: Plan): string[] => (p.kind === 'static' ? p.candidates.map((c) => c.value) : []);

t.test('no verb yet: verbs with their summaries, filtered by prefix, no files', async (t) => {
  const p = plan('');
  t.equal(p.kind, 'static');
  t.same(
    values(p),
    commands.map((c) => c.name),
  );
  t.notOk(values(p).includes('__complete'), 'the hidden verb is not offered');
  t.equal(p.kind === 'static' && p.directive, Directive.noFileComp);
  t.same(values(plan('ca')), ['canary']);
  t.same(values(plan('-n', 'shop', 'pro')), ['promote'], 'flags before the verb are skipped with their values');
});

t.test('flags: the verb\'s own and the common ones, long names, short ones for a bare "-"', async (t) => {
  t.same(values(plan('canary', '--sta')), ['--stable']);
  t.same(values(plan('canary', '--st')), ['--stable', '--steps']);
  t.same(values(plan('canary', '20', 'reviews', '--dry')), ['--dry-run']);
  const dash = values(plan('status', '-'));
  t.ok(dash.includes('-n') && dash.includes('--namespace') && dash.includes('-A') && dash.includes('--watch'));
  t.notOk(values(plan('status', '--')).includes('-n'), 'no short forms once "--" is typed');
  t.same(values(plan('--kubec')), ['--kubeconfig'], 'common flags before a verb');
  const withDesc = plan('canary', '--canary');
  t.equal(withDesc.kind === 'static' && withDesc.candidates[0]?.description, 'subset (or version) that receives WEIGHT%');
});

t.test('flag values: choices, look-ups, files', async (t) => {
  t.same(values(plan('status', '-o', '')), ['table', 'json', 'yaml']);
  t.same(values(plan('status', '--output=j')), ['json'], '--flag=value form');
  t.same(values(plan('canary', '--dry-run', '')), ['none', 'client', 'server'], 'a flag with a bare form still offers its choices');
  t.same(plan('-n', 'sh'), { kind: 'lookup', lookup: 'namespaces', prefix: 'sh', flags: {} });
  t.same(plan('--context', ''), { kind: 'lookup', lookup: 'contexts', prefix: '', flags: {} });
  t.same(plan('--context=m'), { kind: 'lookup', lookup: 'contexts', prefix: 'm', flags: {} });
  t.same(plan('status', '--cluster', ''), { kind: 'lookup', lookup: 'clusters', prefix: '', flags: {} });
  t.same(plan('--kubeconfig', ''), { kind: 'static', candidates: [], directive: Directive.default }, 'files for --kubeconfig');
  t.same(plan('analyze', '-f', ''), {
    kind: 'static',
    candidates: [{ value: 'yaml' }, { value: 'yml' }, { value: 'json' }],
    directive: Directive.filterFileExt,
  });
  t.same(plan('status', '--request-timeout', ''), { kind: 'static', candidates: [], directive: Directive.noFileComp });
  t.same(
    plan('status', '--watch', ''),
    { kind: 'lookup', lookup: 'services', prefix: '', flags: { watch: true } },
    'a boolean flag takes no value',
  );
});

t.test('subset flags know the service and the connection flags typed so far', async (t) => {
  t.same(plan('--context', 'admin', 'canary', '20', 'reviews', '-n', 'shop', '--stable', 'v'), {
    kind: 'lookup',
    lookup: 'subsets',
    prefix: 'v',
    flags: { context: 'admin', namespace: 'shop' },
    service: 'reviews',
  });
  t.same(plan('green', 'ratings', '--subset='), { kind: 'lookup', lookup: 'subsets', prefix: '', flags: {}, service: 'ratings' });
  t.same(plan('canary', '--canary', ''), { kind: 'lookup', lookup: 'subsets', prefix: '', flags: {} }, 'no service yet: every subset');
});

t.test("positionals come from each verb's usage line", async (t) => {
  const canary = commands.find((c) => c.name === 'canary')!;
  t.same(positionalSlots(canary), ['WEIGHT', 'SERVICE']);
  t.same(positionalSlots({ usage: 'status [SERVICE] [-A] [--watch] [flags]' } as Command), ['SERVICE']);
  t.same(positionalSlots({ usage: 'env NAME SERVICE --header NAME=VALUE [flags]' } as Command), ['NAME', 'SERVICE']);
  t.same(plan('canary', ''), { kind: 'static', candidates: [], directive: Directive.noFileComp }, 'WEIGHT: nothing to offer');
  t.same(plan('canary', '20', 're'), { kind: 'lookup', lookup: 'services', prefix: 're', flags: {} });
  t.same(plan('canary', '20', 'reviews', ''), { kind: 'static', candidates: [], directive: Directive.noFileComp }, 'no third positional');
  t.same(plan('status', ''), { kind: 'lookup', lookup: 'services', prefix: '', flags: {} });
  t.same(values(plan('completion', '')), ['bash', 'zsh', 'fish']);
  t.same(values(plan('completion', 'z')), ['zsh']);
  t.same(plan('completion', '--kubectl-plugin', ''), { kind: 'static', candidates: [], directive: Directive.filterDirs });
  t.same(
    plan('canary', '--', '20', ''),
    { kind: 'lookup', lookup: 'services', prefix: '', flags: {} },
    'after -- everything is positional',
  );
});

t.test('unknown flags do not break completion', async (t) => {
  t.same(values(plan('--bogus', 'sta')), ['status']);
  t.same(plan('status', '--bogus', '--output', ''), {
    kind: 'static',
    candidates: ['table', 'json', 'yaml'].map((value) => ({ value })),
    directive: Directive.noFileComp,
  });
});

t.test("cobra's wire format", async (t) => {
  t.equal(formatCompletions([], 4), ':4\n');
  t.equal(formatCompletions([{ value: 'a' }, { value: 'b', description: 'bee. More text' }], 36), 'a\nb\tbee\n:36\n');
  t.equal(formatCompletions([{ value: 'x\ty', description: 'two\nlines' }], 0), 'x y\ttwo lines\n:0\n');
});

t.test('subset names: for the service (short or FQDN host in this namespace), unique and sorted', async (t) => {
  const rules = [
    { spec: { host: 'reviews', subsets: [{ name: 'v2' }, { name: 'v1' }] } },
    { spec: { host: 'reviews.shop.svc.cluster.local', subsets: [{ name: 'v1' }, { name: 'canary' }] } },
    { spec: { host: 'reviews.other.svc.cluster.local', subsets: [{ name: 'elsewhere' }] } },
    { spec: { host: 'ratings', subsets: [{ name: 'r1' }] } },
    { spec: {} },
  ];
  t.same(subsetNames(rules, 'reviews', 'shop'), ['canary', 'v1', 'v2']);
  t.same(subsetNames(rules, undefined, 'shop'), ['canary', 'elsewhere', 'r1', 'v1', 'v2']);
  t.same(subsetNames(rules, 'missing', 'shop'), []);
});

t.test('scripts call the __complete protocol and register for kubectl-mesh', async (t) => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const s = completionScript(shell);
    t.match(s, /kubectl-mesh __complete -- /, `${shell} asks the plugin`);
    t.match(s, /kubectl-mesh/, `${shell} names the command`);
  }
  t.match(completionScript('bash'), /complete .*-F __kubectl_mesh_complete kubectl-mesh/);
  t.match(completionScript('zsh'), /^#compdef kubectl-mesh/);
  t.match(completionScript('fish'), /complete -c kubectl-mesh /);
  t.equal(pluginHelper().split('\n')[0], '#!/bin/sh');
  t.match(pluginHelper(), /\nexec kubectl-mesh __complete -- "\$@"\n/);
});

t.test('completion verb: scripts, errors, and the kubectl helper written where kubectl-mesh is', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-completion-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'kubectl-mesh'), '');
  const env = { PATH: ['/nonexistent', bin].join(path.delimiter), HOME: dir };

  const bash = await runMain(['completion', 'bash'], env);
  t.equal(bash.code, 0);
  t.equal(bash.stdout, completionScript('bash'));
  t.equal((await runMain(['completion', 'tcsh'], env)).code, 2);
  t.equal((await runMain(['completion'], env)).code, 2);

  t.equal(defaultHelperDir(env), bin);
  const w = await runMain(['completion', '--kubectl-plugin'], env);
  t.equal(w.code, 0, w.stderr);
  const helper = path.join(bin, 'kubectl_complete-mesh');
  t.equal(w.stdout, `${helper}\n`);
  t.equal(readFileSync(helper, 'utf8'), pluginHelper());
  t.equal(statSync(helper).mode & 0o777, 0o755);
  t.equal(w.stderr, '', 'no warning: the directory is on PATH');

  const elsewhere = path.join(dir, 'elsewhere');
  mkdirSync(elsewhere);
  const e = await runMain(['completion', '--kubectl-plugin', elsewhere], env);
  t.equal(e.code, 0);
  t.match(e.stderr, /is not on PATH/);

  const nowhere = await runMain(['completion', '--kubectl-plugin'], { PATH: '/nonexistent', HOME: dir });
  t.equal(nowhere.code, 2);
  t.match(nowhere.stderr, /cannot tell where to write/);
  const krewBin = path.join(dir, '.krew', 'bin');
  mkdirSync(krewBin, { recursive: true });
  t.equal(defaultHelperDir({ PATH: '/nonexistent', HOME: dir }), krewBin, 'falls back to ~/.krew/bin');
  t.equal((await runMain(['completion', '--kubectl-plugin', path.join(dir, 'missing')], env)).code, 2);
});

t.test('__complete through main: static plans need no cluster; look-ups fail silently', async (t) => {
  const verbs = await runMain(['__complete', '--', 'ver'], {});
  t.equal(verbs.code, 0);
  t.equal(verbs.stdout, 'version\tPrint the client, Kubernetes, Istio API and istioctl versions\n:4\n');
  const ns = await runMain(['__complete', '--', '-n', ''], { KUBECONFIG: '/nonexistent/config' });
  t.equal(ns.code, 0);
  t.equal(ns.stdout, ':4\n');
  t.equal(ns.stderr, '');
  const help = await runMain(['--help'], {});
  t.notMatch(help.stdout, /__complete/, 'hidden from help');
  t.match(help.stdout, /completion/);
});
