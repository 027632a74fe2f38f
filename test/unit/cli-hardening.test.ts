// CLI error paths: flag values checked up front (exit 2, one line), -f before the verb, escaped output.
import t from 'tap';
import { printable } from '../../src/ui/printable.js';
import { runMain } from './run-main.js';

t.test('bad common flag values are one usage error each', async (t) => {
  const cases: [string[], RegExp][] = [
    [['status', '-v=abc'], /^error: invalid value "abc" for -v: expected a number/],
    [['status', '-n', '../x'], /^error: --namespace "\.\.\/x" is not a valid namespace name/],
    [['status', '-n', '..%2Fshop'], /^error: --namespace "\.\.%2Fshop" is not a valid namespace name/],
    [['canary', '20', 'reviews', '--version-label', ''], /^error: --version-label "" is not a valid label key/],
    [['canary', '20', 'reviews', '--version-label', 'a b'], /^error: --version-label "a b" is not a valid label key/],
    [['canary', '20', 'reviews', '--in-place'], /^error: --in-place needs -f FILE\|DIR/],
  ];
  for (const [argv, message] of cases) {
    const r = await runMain(argv, { KUBECONFIG: '/nonexistent' });
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, message, argv.join(' '));
    t.equal(r.stderr.trimEnd().split('\n').length, 1, `${argv.join(' ')}: one line`);
  }
});

t.test('--request-timeout is checked up front, also offline where nothing connects', async (t) => {
  const offline = ['canary', '20', 'reviews', '-f', 'manifests/demo'];
  for (const bad of ['5q', 'soon', '1m30']) {
    const r = await runMain([...offline, '--request-timeout', bad], { KUBECONFIG: '/nonexistent' });
    t.equal(r.code, 2, bad);
    t.equal(r.stdout, '', `${bad}: nothing printed`);
    t.match(r.stderr, new RegExp(`^error: invalid value "${bad}" for --request-timeout \\(use a whole number of seconds`), bad);
    t.equal(r.stderr.trimEnd().split('\n').length, 1, `${bad}: one line`);
  }
  for (const good of ['0', '5', '5s', '1m30s']) {
    const r = await runMain([...offline, '--request-timeout', good, '-o', 'json'], { KUBECONFIG: '/nonexistent' });
    t.equal(r.code, 0, `${good}: ${r.stderr}`);
  }
});

t.test('-f DIR before the verb is a flag value, not the verb', async (t) => {
  const r = await runMain(['-f', 'manifests/demo', 'canary', '20', 'reviews', '-o', 'json'], {});
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /"kind": "VirtualService"/);
});

t.test('printable escapes controls, escape sequences and bidi overrides, and nothing else', async (t) => {
  t.equal(printable('a\u001b[31mb\r\nc\td\u0000\u007f\u009b\u202e'), 'a\\x1b[31mb\\r\\nc\\td\\x00\\x7f\\x9b\\u202e');
  t.equal(printable('café → ✓ 日本'), 'café → ✓ 日本');
});
