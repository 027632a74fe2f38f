import { EventEmitter } from 'node:events';
import t from 'tap';
import { CancelledError } from '../../../src/errors.js';
import { spinnerEnabled, withSpinner } from '../../../src/ui/spinner.js';

const stream = (isTTY: boolean) => {
  const chunks: string[] = [];
  return {
    chunks,
    isTTY,
    write: (s: string) => {
      chunks.push(s);
      return true;
    },
  };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('piped, dumb terminal or CI: nothing is written', async (t) => {
  for (const [s, env] of [
    [stream(false), {}],
    [stream(true), { TERM: 'dumb' }],
    [stream(true), { CI: 'true' }],
  ] as const) {
    t.equal(
      await withSpinner(
        s,
        'reading',
        async () => {
          await sleep(30);
          return 42;
        },
        { env, delayMs: 0 },
      ),
      42,
    );
    t.same(s.chunks, [], JSON.stringify({ isTTY: s.isTTY, env }));
  }
  t.equal(spinnerEnabled({ write: () => true, isTTY: true }, {}), true);
});

t.test('at a terminal: frames while waiting, then the line erased and the cursor shown', async (t) => {
  const s = stream(true);
  t.equal(
    await withSpinner(
      s,
      'reading shop/reviews',
      async () => {
        await sleep(60);
        return 'done';
      },
      { env: {}, delayMs: 0, intervalMs: 10 },
    ),
    'done',
  );
  const out = s.chunks.join('');
  t.ok(out.startsWith('\u001b[?25l'), 'cursor hidden first');
  t.match(out, /\r\u001b\[2K⠋ reading shop\/reviews/);
  t.ok(s.chunks.length > 3, 'several frames');
  t.ok(out.endsWith('\r\u001b[2K\u001b[?25h'), 'line erased, cursor shown');
});

t.test('a quick wait shows nothing at all', async (t) => {
  const s = stream(true);
  await withSpinner(s, 'reading', async () => 1, { env: {} });
  await sleep(150);
  t.same(s.chunks, []);
});

t.test('failures pass through, with the cursor restored', async (t) => {
  const s = stream(true);
  await t.rejects(
    withSpinner(
      s,
      'x',
      async () => {
        await sleep(30);
        throw new Error('boom');
      },
      { env: {}, delayMs: 0 },
    ),
    /boom/,
  );
  t.ok(s.chunks.join('').endsWith('\u001b[?25h'));
});

t.test('Ctrl-C while spinning: CancelledError (exit 130), cursor restored, listener removed', async (t) => {
  const s = stream(true);
  const signals = new EventEmitter();
  const wait = withSpinner(s, 'analysing', () => sleep(400), {
    env: {},
    delayMs: 0,
    signals,
    cancelMessage: 'cancelled; nothing was changed',
  });
  await sleep(20);
  t.equal(signals.listenerCount('SIGINT'), 1);
  signals.emit('SIGINT');
  await t.rejects(wait, { constructor: CancelledError, exitCode: 130, message: 'cancelled; nothing was changed' });
  t.ok(s.chunks.join('').endsWith('\u001b[?25h'));
  t.equal(signals.listenerCount('SIGINT'), 0);
});
