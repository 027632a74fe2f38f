// Parsing -f files: byte-exact text, linear time, one-line errors naming the file and the field.
import t from 'tap';
import { decodeFile, encodeFile, withEol } from '../../../src/source/text-codec.js';
import { loadYamlFile } from '../../../src/source/yaml-load.js';

const load = (text: string | Buffer) => loadYamlFile('m.yaml', Buffer.isBuffer(text) ? text : Buffer.from(text));
const usage = (fn: () => unknown, message: RegExp) => [fn, { name: 'UsageError', exitCode: 2, message }] as const;

t.test('text: Latin-1 bytes and CRLF come back unchanged', async (t) => {
  const latin1 = Buffer.from('# caf\xe9\r\nkind: Service\r\n', 'latin1');
  const d = decodeFile(latin1);
  t.equal(d.encoding, 'latin1');
  t.equal(d.eol, '\r\n');
  t.ok(encodeFile(d.text, d.encoding).equals(latin1));
  t.equal(decodeFile(Buffer.from('a: é\n')).encoding, 'utf8');
  t.equal(decodeFile(Buffer.from('a: 1\r\nb: 2\n')).eol, '\n', 'mixed line endings: new text gets LF');
  t.equal(withEol('a\nb\n', '\r\n'), 'a\r\nb\r\n');
  t.ok(
    encodeFile('caf\xe9 ✓', 'latin1').equals(Buffer.concat([Buffer.from('caf\xe9 ', 'latin1'), Buffer.from('✓')])),
    'new characters beyond Latin-1 are written as UTF-8',
  );
});

t.test('bad files are one usage error naming the file and what is wrong', async (t) => {
  const cases = [
    usage(() => load('a: 1\na: 2\n'), /^m\.yaml: duplicate key "a" \(line 2\)$/),
    usage(
      () => load('kind: VirtualService\nmetadata: {name: r}\nspec:\n  http: "str"\n'),
      /^m\.yaml: VirtualService r: spec\.http must be a list \(is a string\)$/,
    ),
    usage(
      () => load('kind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: str\n'),
      /^m\.yaml: VirtualService r: spec\.hosts must be a list \(is a string\)$/,
    ),
    usage(
      () => load('kind: VirtualService\nmetadata: {name: r, namespace: s}\nspec:\n  http: [42, null]\n'),
      /^m\.yaml: VirtualService s\/r: spec\.http\[0\] must be a map \(is a number\)$/,
    ),
    usage(
      () => load('kind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  subsets: [{labels: {v: 1}}]\n'),
      /^m\.yaml: DestinationRule r: spec\.subsets\[0\]\.name must be a string/,
    ),
    usage(() => load('kind: Service\nmetadata: {labels: {}}\n'), /^m\.yaml: a Service without metadata\.name$/),
    usage(() => load('a: [1\n'), /^m\.yaml: invalid YAML: /),
  ];
  for (const [fn, expected] of cases) t.throws(fn, expected);
});

t.test('aliases: 150 plain ones are fine; an exponential expansion is refused', async (t) => {
  const many = `base: &b x\nlist:\n${Array.from({ length: 150 }, () => '  - *b').join('\n')}\n`;
  t.equal((load(many).docs[0].toJS({ maxAliasCount: -1 }) as { list: string[] }).list.length, 150);
  let laughs = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 8; i++)
    laughs += `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(10)
      .fill(`*${'abcdefgh'[i - 1]}`)
      .join(', ')}]\n`;
  t.throws(() => load(laughs), { exitCode: 2, message: /YAML alias expansions \(refused as a resource exhaustion attack\)/ });
});

t.test('parsing time grows linearly with the number of keys', async (t) => {
  const file = (n: number) =>
    `kind: ConfigMap\nmetadata: {name: big}\ndata:\n${Array.from({ length: n }, (_, i) => `  k${i}: v${i}\n`).join('')}`;
  const time = (n: number) => {
    const s = file(n);
    const t0 = performance.now();
    load(s);
    return performance.now() - t0;
  };
  time(2000); // warm up
  // Best of three: a busy shared machine only ever makes a run slower.
  const small = Math.min(time(5000), time(5000), time(5000));
  const large = Math.min(time(20000), time(20000), time(20000));
  // Linear: ~4x. The parser's own duplicate-key check made it ~16x (quadratic).
  t.ok(large / small < 10, `4x the keys took ${(large / small).toFixed(1)}x the time (${small.toFixed(0)} ms → ${large.toFixed(0)} ms)`);
});
