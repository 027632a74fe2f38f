// The entry point's part in the guided mode: where the verb is, and what happens with no verb.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { main } from '../../../src/cli.js';

function streams(tty: boolean) {
  const make = () => Object.assign(new PassThrough(), { isTTY: tty });
  const s = { stdout: make(), stderr: make(), stdin: make() };
  let out = '';
  let err = '';
  s.stdout.on('data', (d) => {
    out += d;
  });
  s.stderr.on('data', (d) => {
    err += d;
  });
  return { s, out: () => out, err: () => err };
}

t.test('the verb comes after common flags and their values', async (t) => {
  const io = streams(false);
  t.equal(await main(['-n', 'shop', '--context', 'x', 'frobnicate'], io.s, {}), 2);
  t.equal(
    io.err(),
    'error: unknown command "frobnicate" for "kubectl mesh" (run "kubectl mesh --help" for the list of commands)\n',
    'not "shop"',
  );
});

t.test('no verb: the help when there is no terminal, or with --no-input', async (t) => {
  for (const [tty, argv] of [
    [false, ['-n', 'shop']],
    [true, ['--no-input']],
    [true, ['--help']],
  ] as const) {
    const io = streams(tty);
    t.equal(await main([...argv], io.s, {}), 0);
    t.match(io.out(), /^Commands:$/m, `${tty ? 'terminal' : 'piped'} ${argv.join(' ')}`);
    t.equal(io.err(), '');
  }
});

t.test('a missing value without a terminal: exit 2, nothing asked', async (t) => {
  const io = streams(false);
  t.equal(await main(['canary', '-n', 'shop'], io.s, {}), 2);
  t.match(io.err(), /^error: missing WEIGHT and SERVICE \(pass them: kubectl mesh canary WEIGHT SERVICE \[-n NAMESPACE\]/);
  t.equal(io.out(), '');
});
