// Translation of answers the local server tests do not produce easily.
import t from 'tap';
import { ExitCode, UnreachableError } from '../../../src/errors.js';
import { statusMessage, translateNetworkError, translateStatus } from '../../../src/kube/errors.js';

const server = 'https://10.0.0.1:6443';

t.test('socket errors name the server and the reason', async (t) => {
  const dns = Object.assign(new Error('getaddrinfo ENOTFOUND api.example.invalid'), { code: 'ENOTFOUND' });
  t.match(translateNetworkError(server, dns), {
    constructor: UnreachableError,
    exitCode: ExitCode.unreachable,
    message: `cannot reach the Kubernetes API server at ${server}: getaddrinfo ENOTFOUND api.example.invalid`,
    hint: 'check --context/--kubeconfig, or that the cluster is running',
  });
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  t.equal(translateNetworkError(server, reset).message, `cannot reach the Kubernetes API server at ${server}: ECONNRESET socket hang up`);
  t.equal(translateNetworkError(server, reset).cause, reset, 'the cause is kept for -v');
  t.equal(translateNetworkError(server, 'weird').message, `cannot reach the Kubernetes API server at ${server}: weird`);
});

t.test('status messages: Status objects, text bodies, empty bodies', async (t) => {
  t.equal(statusMessage({ kind: 'Status', message: 'm' }), 'm');
  t.equal(statusMessage('first line\nsecond'), 'first line');
  t.equal(statusMessage(undefined), '');
  const e = translateStatus({ method: 'GET', url: `${server}/api/v1/pods?limit=500`, status: 429, body: '' });
  t.match(e, {
    exitCode: ExitCode.failed,
    message: 'GET /api/v1/pods: 429 Too Many Requests: the server answered 429 Too Many Requests to GET /api/v1/pods',
  });
  t.equal(e.hint, undefined, 'no retry hint for 4xx');
});
