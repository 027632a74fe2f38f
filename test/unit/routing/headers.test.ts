import t from 'tap';
import { headerMatch, parseEnvName, parseHeader } from '../../../src/routing/headers.js';
import { caught } from './sim.js';

t.test('parseHeader: lowercases the name, keeps the value literally', async (t) => {
  t.strictSame(parseHeader('X-Env=Green', 'exact'), { name: 'x-env', type: 'exact', value: 'Green' });
  t.strictSame(parseHeader('x-token=a=b==', 'exact'), { name: 'x-token', type: 'exact', value: 'a=b==' }, 'splits at the first =');
  t.strictSame(
    parseHeader('user-agent=Mozilla/5.0 (X11)', 'prefix'),
    { name: 'user-agent', type: 'prefix', value: 'Mozilla/5.0 (X11)' },
    'exact and prefix values are data: parentheses are not a regex error',
  );
  t.strictSame(parseHeader('x-env=uat', 'regex'), { name: 'x-env', type: 'regex', value: 'uat' });
});

t.test('parseHeader: malformed headers are usage errors (exit 2)', async (t) => {
  const cases: [string, 'exact' | 'regex', string][] = [
    ['x-env', 'exact', 'header "x-env" is not name=value'],
    ['=green', 'exact', 'header "=green" is not name=value'],
    ['x env=green', 'exact', 'header name "x env" is not an HTTP token'],
    ['x-env(1)=green', 'exact', 'header name "x-env(1)" is not an HTTP token'],
    [':authority=example.com', 'exact', 'header name ":authority" is not an HTTP token'],
    ['x-env=', 'exact', 'header "x-env" has an empty value'],
    ['x-env=a(?=b)', 'regex', "regex for header x-env uses lookaround or backreferences, which Istio's RE2 does not support"],
    ['x-env=(?<!a)b', 'regex', "regex for header x-env uses lookaround or backreferences, which Istio's RE2 does not support"],
    ['x-env=(a)\\1', 'regex', "regex for header x-env uses lookaround or backreferences, which Istio's RE2 does not support"],
    ['x-env=(?<n>a)\\k<n>', 'regex', "regex for header x-env uses lookaround or backreferences, which Istio's RE2 does not support"],
  ];
  for (const [text, type, message] of cases) {
    const err = caught(() => parseHeader(text, type));
    t.strictSame([err.name, err.exitCode, err.message], ['UsageError', 2, message], text);
  }
  const bad = caught(() => parseHeader('x-env=(uat', 'regex'));
  t.strictSame([bad.name, bad.exitCode], ['UsageError', 2]);
  t.match(bad.message, /^invalid regex for header x-env: /);
});

t.test('parseHeader: RE2 syntax that JavaScript lacks is accepted', async (t) => {
  for (const value of ['(?i)green', '(?i:GREEN)-[0-9]+', '(?P<env>uat|qa)', '^(uat|qa)$', '.*Beta.*']) {
    t.strictSame(parseHeader(`x-env=${value}`, 'regex'), { name: 'x-env', type: 'regex', value }, value);
  }
});

t.test('parseEnvName: DNS-label-like names only', async (t) => {
  t.equal(parseEnvName('uat'), 'uat');
  t.equal(parseEnvName('pre-prod-2'), 'pre-prod-2');
  t.equal(parseEnvName('a'.repeat(40)), 'a'.repeat(40));
  for (const bad of ['UAT', '-uat', 'uat-', 'u_at', 'a'.repeat(41)]) {
    t.strictSame(
      [caught(() => parseEnvName(bad)).exitCode, caught(() => parseEnvName(bad)).message],
      [2, `environment name "${bad}" is invalid`],
      bad,
    );
  }
  t.strictSame(
    [caught(() => parseEnvName(undefined)).name, caught(() => parseEnvName('')).message],
    ['UsageError', 'missing environment NAME'],
  );
});

t.test('headerMatch: all conditions in one match clause (AND)', async (t) => {
  t.strictSame(
    headerMatch([
      { name: 'x-env', type: 'exact', value: 'uat' },
      { name: 'x-team', type: 'prefix', value: 'pay' },
      { name: 'user-agent', type: 'regex', value: '.*Beta.*' },
    ]),
    { headers: { 'x-env': { exact: 'uat' }, 'x-team': { prefix: 'pay' }, 'user-agent': { regex: '.*Beta.*' } } },
  );
});

t.test('parseHeader: control characters in a value are refused (such a route never matches)', async (t) => {
  for (const [text, shown] of [
    ['x-env=a\rb', '\\r'],
    ['x-env=a\nb', '\\n'],
    ['x-env=\u001b[31mred', '\\u001b'],
    ['x-env=a\u0000', '\\u0000'],
    ['x-env=a\u007f', '\u007f'],
  ] as const) {
    const err = caught(() => parseHeader(text, 'exact'));
    t.strictSame([err.name, err.exitCode], ['UsageError', 2], JSON.stringify(text));
    t.equal(err.message, `header x-env value contains a control character (${shown}), which no HTTP request can carry`);
  }
  t.strictSame(parseHeader('x-env=a\tb', 'exact').value, 'a\tb', 'a tab is allowed in HTTP field values');
});
