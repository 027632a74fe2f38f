import t from 'tap';
import { canonical } from '../../../src/model/equal.js';
import { covers, matchesEverything, sameConditions } from '../../../src/model/matches.js';

t.test('matchesEverything', async (t) => {
  for (const m of [
    {},
    { name: 'all' },
    { uri: { prefix: '/' } },
    { uri: { regex: '.*' } },
    { uri: { regex: '/.*' } },
    { headers: {} },
    { method: { prefix: '' } },
    { statPrefix: 'x' },
  ]) {
    t.ok(matchesEverything(m), JSON.stringify(m));
  }
  for (const m of [
    { uri: { prefix: '/api' } },
    { headers: { 'x-env': {} } },
    { port: 80 },
    { gateways: ['mesh'] },
    { uri: { prefix: '/', exact: '/' } },
    { method: { prefix: '/' } },
    { futureField: true },
    null,
    'str',
  ]) {
    t.notOk(matchesEverything(m), JSON.stringify(m));
  }
});

t.test('string conditions', async (t) => {
  t.ok(covers({ uri: { prefix: '/api' } }, { uri: { prefix: '/api/v2' } }), 'prefix covers longer prefix');
  t.ok(covers({ uri: { prefix: '/api' } }, { uri: { exact: '/api/v2' } }), 'prefix covers exact under it');
  t.notOk(covers({ uri: { prefix: '/api/v2' } }, { uri: { prefix: '/api' } }), 'narrower prefix does not cover');
  t.notOk(covers({ uri: { exact: '/api' } }, { uri: { prefix: '/api' } }));
  t.notOk(covers({ uri: { exact: '/api' } }, {}), 'a condition never covers its absence');
  t.ok(covers({ uri: { regex: '/v[0-9]+' } }, { uri: { exact: '/v12' } }), 'regex full-matches an exact value');
  t.notOk(covers({ uri: { regex: '/v[0-9]+' } }, { uri: { exact: '/v12/x' } }), 'regex must match the whole value');
  t.ok(covers({ uri: { regex: '/v[0-9]+' } }, { uri: { regex: '/v[0-9]+' } }), 'same regex');
  t.notOk(covers({ uri: { regex: '/v[0-9]+' } }, { uri: { prefix: '/v1' } }), 'regex vs prefix: undecided, so no');
  t.notOk(covers({ uri: { regex: '(?P<x>a)' } }, { uri: { exact: 'a' } }), 'RE2 syntax JS rejects: no');
  t.ok(covers({ method: { exact: 'GET' } }, { method: { exact: 'GET' }, uri: { prefix: '/x' } }));
  t.notOk(covers({ method: { exact: 'GET' } }, { method: { exact: 'POST' } }));
  t.notOk(covers({ uri: 'nonsense' }, { uri: { exact: '/' } }), 'malformed string match');
  t.notOk(covers({ headers: { x: { suffix: 'a' } } }, { headers: { x: { exact: 'b' } } }), 'an unknown match type covers only itself');
  t.ok(covers({ headers: { x: { suffix: 'a' } } }, { headers: { x: { suffix: 'a' } } }));
});

t.test('ignoreUriCase', async (t) => {
  t.ok(covers({ uri: { exact: '/api' }, ignoreUriCase: true }, { uri: { exact: '/API' } }), 'case-insensitive a covers any case');
  t.ok(covers({ uri: { prefix: '/Api' }, ignoreUriCase: true }, { uri: { prefix: '/aPI/v2' }, ignoreUriCase: true }));
  t.notOk(covers({ uri: { exact: '/api' } }, { uri: { exact: '/api' }, ignoreUriCase: true }), 'b accepts /API, a does not');
  t.ok(covers({ uri: { prefix: '/' } }, { uri: { exact: '/api' }, ignoreUriCase: true }), 'a vacuous uri still covers');
});

t.test('headers, query parameters, withoutHeaders', async (t) => {
  t.ok(
    covers({ headers: { 'X-Env': { exact: 'green' } } }, { headers: { 'x-env': { exact: 'green' }, 'x-user': { exact: 'a' } } }),
    'header names compare case-insensitively; extra conditions in b are fine',
  );
  t.ok(covers({ headers: { 'x-env': {} } }, { headers: { 'x-env': { regex: 'g.*' } } }), 'presence covers any value');
  t.notOk(covers({ headers: { 'x-env': { exact: 'green' } } }, { headers: { 'x-user': { exact: 'green' } } }));
  t.notOk(covers({ headers: { 'x-env': { exact: 'green' } } }, {}));
  t.notOk(covers({ headers: 'bad' }, { headers: {} }));
  t.ok(covers({ queryParams: { debug: { exact: '1' } } }, { queryParams: { debug: { exact: '1' } } }));
  t.notOk(covers({ queryParams: { Debug: { exact: '1' } } }, { queryParams: { debug: { exact: '1' } } }), 'query keys are case-sensitive');
  t.ok(covers({ withoutHeaders: { 'x-env': {} } }, { withoutHeaders: { 'X-Env': {} }, uri: { prefix: '/a' } }));
  t.notOk(covers({ withoutHeaders: { 'x-env': {} } }, {}));
  t.ok(covers({ withoutHeaders: {} }, {}));
  t.notOk(covers({ withoutHeaders: 'bad' }, {}));
});

t.test('port, source, gateways, unknown fields', async (t) => {
  t.ok(covers({ port: 80 }, { port: 80 }));
  t.notOk(covers({ port: 80 }, { port: 81 }));
  t.ok(covers({ sourceNamespace: 'web' }, { sourceNamespace: 'web' }));
  t.notOk(covers({ sourceNamespace: 'web' }, {}));
  t.ok(covers({ sourceLabels: { app: 'front' } }, { sourceLabels: { app: 'front', version: 'v1' } }));
  t.notOk(covers({ sourceLabels: { app: 'front' } }, {}));
  t.ok(covers({ gateways: ['mesh', 'shop/public'] }, { gateways: ['mesh'] }), 'a on more gateways covers b on fewer');
  t.notOk(covers({ gateways: ['mesh'] }, { gateways: ['mesh', 'shop/public'] }));
  t.notOk(covers({ gateways: ['mesh'] }, {}));
  t.ok(covers({ futureField: { a: 1, b: 2 } }, { futureField: { b: 2, a: 1 } }), 'unknown fields must be equal');
  t.notOk(covers({ futureField: 1 }, { futureField: 2 }));
  t.ok(covers({}, 'not an object'), 'a catch-all covers anything');
});

t.test('sameConditions and canonical', async (t) => {
  t.ok(sameConditions({ name: 'a', headers: { x: { exact: '1' } } }, { headers: { x: { exact: '1' } }, name: 'b', statPrefix: 's' }));
  t.notOk(sameConditions({ headers: { x: { exact: '1' } } }, { headers: { x: { exact: '2' } } }));
  t.ok(sameConditions(null, null));
  t.equal(canonical({ b: [1, { d: 1, c: undefined }], a: 'x' }), '{"a":"x","b":[1,{"d":1}]}');
  t.equal(canonical(undefined), 'undefined');
});
