// Without a terminal (pipes, CI) or with --no-input nothing is asked: a missing value is a usage
// error (exit 2) that says what to pass; no spinner, no colour, no prompt text.
import t from 'tap';
import { mesh } from '../e2e/harness.js';
import { Terminal, appNamespace, resourceVersions } from './support.js';

const APP = 'ledger';
const ns = await appNamespace(t, 'pty-pipe', APP, ['v1', 'v2']);
const ESC = /\u001b/;

const missing: [string[], RegExp][] = [
  [
    ['canary', '-n', ns],
    /^error: missing WEIGHT and SERVICE \(pass them: kubectl mesh canary WEIGHT SERVICE \[-n NAMESPACE\] \[--stable SUBSET --canary SUBSET\] \[--yes\]; this is not a terminal, so nothing is asked\)$/,
  ],
  [['canary', APP, '-n', ns], /^error: missing WEIGHT \(pass it: kubectl mesh canary WEIGHT SERVICE/],
  [['canary', '20', '-n', ns], /^error: missing SERVICE \(pass it: kubectl mesh canary WEIGHT SERVICE/],
  [
    ['green', '-n', ns],
    /^error: missing SERVICE \(pass it: kubectl mesh green SERVICE \[--header NAME=VALUE\] \[--match exact\|prefix\|regex\] \[--subset SUBSET\]/,
  ],
  // SERVICE is optional since env works across services, and `env NAME` alone lists: only NAME is missing.
  [['env', '-n', ns], /^error: missing NAME \(pass it: kubectl mesh env NAME \[SERVICE\] --header NAME=VALUE/],
  [['env', 'uat', APP, '-n', ns], /^error: missing --header \(pass it: kubectl mesh env NAME \[SERVICE\] --header NAME=VALUE/],
  [['promote', '-n', ns], /^error: missing SERVICE \(pass it: kubectl mesh promote SERVICE \[--canary SUBSET\] \[--prune\]/],
  [['rollback', '-n', ns], /^error: missing SERVICE \(pass it: kubectl mesh rollback SERVICE \[--to-revision N\]/],
  [['history', '-n', ns], /^error: missing SERVICE \(pass it: kubectl mesh history SERVICE/],
];

t.test('a missing value is exit 2 with the flags to pass', async (t) => {
  for (const [args, message] of missing) {
    const r = await mesh(args);
    t.equal(r.code, 2, `kubectl mesh ${args.join(' ')}: exit 2`);
    t.match(r.stderr.trim(), message, `kubectl mesh ${args.join(' ')}: says what to pass`);
    t.notMatch(r.stderr, /\?\s/, 'no question was printed');
    t.equal(r.stdout, '');
  }
  t.same(await resourceVersions(ns, APP), { virtualService: undefined, destinationRule: undefined }, 'nothing was written');
});

t.test('no verb without a terminal prints the help, as before', async (t) => {
  const r = await mesh(['-n', ns]);
  t.equal(r.code, 0);
  t.match(r.stdout, /^Commands:$/m);
  t.equal(r.stderr, '');
});

t.test('a full command through pipes: no spinner, no colour, no question', async (t) => {
  const r = await mesh(['canary', '20', APP, '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stdout + r.stderr, ESC, 'no escape sequences at all');
  t.notMatch(r.stderr, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, 'no spinner frames');
  t.notMatch(r.stderr, /Apply to/, 'no confirmation');
  t.match(r.stdout, `virtualservice/${APP} created`);
});

t.test('--no-input at a terminal: no prompt, the same error', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary -n ${ns} --no-input`);
  t.equal(await term.exitCode(), 2);
  const screen = await term.screen();
  t.match(
    screen,
    /error: missing WEIGHT and SERVICE \(pass them: kubectl mesh canary WEIGHT SERVICE .*--no-input was given, so nothing is asked\)/,
  );
  t.notMatch(screen, /^\? /m, 'no question');
});

t.test('colour at a terminal follows NO_COLOR', async (t) => {
  const sgr = /\u001b\[[0-9;]*m/;
  for (const [env, coloured] of [
    [{}, true],
    [{ NO_COLOR: '1' }, false],
  ] as const) {
    const term = await Terminal.start(t, `kubectl mesh canary ${APP} -n ${ns}`, { env });
    await term.waitFor('? Weight for v2');
    const raw = await term.screen({ colours: true });
    t.equal(sgr.test(raw), coloured, `${coloured ? 'colours' : 'no colours'} with ${JSON.stringify(env)}`);
    await term.keys('Escape');
    t.equal(await term.exitCode(), 130);
  }
});
