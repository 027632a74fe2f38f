// The istioctl adapter against tiny real executables (shell scripts), not mocks.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import {
  analyzeArgs,
  analyzeWithIstioctl,
  createIstioctl,
  istioctlVersion,
  parseIstioctlVersion,
  toMultiDocYaml,
} from '../../../src/istioctl/istioctl.js';
import { locateIstioctl, locateIstioctlWithSource, missingIstioctlNotice } from '../../../src/istioctl/locate.js';
import { reviewsObjects } from './fixtures.js';

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

let root = '';
t.before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mesh-istioctl-'));
});
t.teardown(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Write an executable /bin/sh script at dir/name; returns its path. */
async function script(dir: string, name: string, body: string, mode = 0o755): Promise<string> {
  await mkdir(dir, { recursive: true });
  const p = path.join(dir, name);
  await writeFile(p, `#!/bin/sh\n${body}\n`);
  await chmod(p, mode);
  return p;
}

const SAMPLE = JSON.stringify(
  [
    {
      code: 'IST0101',
      documentationUrl: 'https://istio.io/v1.27/docs/reference/config/analysis/ist0101/?ref=istioctl-analyze',
      level: 'Error',
      message: 'Referenced host not found: "ratings"',
      origin: 'VirtualService shop/reviews',
      reference: '-:12',
    },
  ],
  null,
  '\t',
);

t.test('locate: --istioctl beats $ISTIOCTL beats PATH; nothing gives undefined', async (t) => {
  const dir = path.join(root, 'locate');
  const onPath = await script(path.join(dir, 'bin'), 'istioctl', 'exit 0');
  const fromEnv = await script(path.join(dir, 'env'), 'istioctl-1.27', 'exit 0');
  const fromFlag = await script(path.join(dir, 'flag'), 'istioctl', 'exit 0');
  const env = { PATH: `${path.join(dir, 'empty')}:${path.join(dir, 'bin')}`, ISTIOCTL: fromEnv };

  t.same(await locateIstioctlWithSource({ explicit: fromFlag, env }), { path: fromFlag, source: 'flag' });
  t.same(await locateIstioctlWithSource({ env }), { path: fromEnv, source: 'env' });
  t.same(await locateIstioctlWithSource({ env: { PATH: env.PATH } }), { path: onPath, source: 'path' });
  t.equal(await locateIstioctl({ env: { PATH: path.join(dir, 'empty') } }), undefined);
  t.equal(await locateIstioctl({ env: {} }), undefined, 'no PATH at all');
  t.equal(
    await locateIstioctl({ explicit: 'istioctl-1.27', env: { PATH: path.join(dir, 'env') } }),
    fromEnv,
    'a bare name is looked up on PATH',
  );
  t.equal(await locateIstioctl({ env: { PATH: '', ISTIOCTL: 'istioctl-1.27' } }), undefined);
});

t.test('locate: an explicit path that is not an executable does not fall back', async (t) => {
  const dir = path.join(root, 'explicit');
  const notExec = await script(dir, 'istioctl-noexec', 'exit 0', 0o644);
  const good = await script(path.join(dir, 'bin'), 'istioctl', 'exit 0');
  await mkdir(path.join(dir, 'dirbin', 'istioctl'), { recursive: true });
  const PATH = `${path.join(dir, 'dirbin')}:${path.join(dir, 'bin')}`;
  t.equal(await locateIstioctl({ explicit: path.join(dir, 'missing'), env: { PATH } }), undefined);
  t.equal(await locateIstioctl({ explicit: notExec, env: { PATH } }), undefined);
  t.equal(await locateIstioctl({ env: { PATH, ISTIOCTL: notExec } }), undefined);
  t.equal(await locateIstioctl({ env: { PATH } }), good, 'a directory named istioctl on PATH is skipped');
  t.equal(
    missingIstioctlNotice({ explicit: '/opt/istioctl', env: {} }),
    'istioctl not found or not executable at /opt/istioctl (--istioctl); only built-in checks ran',
  );
  t.equal(
    missingIstioctlNotice({ env: { ISTIOCTL: '/opt/x' } }),
    'istioctl not found or not executable at /opt/x ($ISTIOCTL); only built-in checks ran',
  );
  t.equal(
    missingIstioctlNotice({ env: {} }),
    'istioctl not found on PATH; only built-in checks ran (pass --istioctl PATH or set ISTIOCTL)',
  );
});

t.test('locate on Windows tries PATHEXT', async (t) => {
  const dir = path.join(root, 'win');
  const exe = await script(dir, 'istioctl.EXE', 'exit 0', 0o644);
  t.equal(await locateIstioctl({ env: { Path: dir, PATHEXT: '.COM;.EXE' }, platform: 'win32' }), exe);
});

t.test('analyze: args, stdin YAML and JSON behind log noise', async (t) => {
  const dir = path.join(root, 'analyze');
  const bin = await script(
    dir,
    'istioctl',
    [
      `printf '%s\\n' "$@" > "${dir}/args"`,
      `cat > "${dir}/stdin"`,
      `echo 'W1126 10:00:00.000000 1 warnings.go:70] v1alpha3 is deprecated'`,
      `cat <<'JSON'\n${SAMPLE}\nJSON`,
    ].join('\n'),
  );
  const objects = reviewsObjects().filter((o) => o.kind === 'VirtualService' || o.kind === 'DestinationRule');
  const r = await analyzeWithIstioctl({
    explicit: bin,
    objects,
    namespace: 'shop',
    kubeconfig: '/tmp/kc',
    context: 'kind-a',
    env: { PATH: SYSTEM_PATH },
  });
  t.same(r, {
    used: true,
    findings: [
      {
        code: 'IST0101',
        level: 'Error',
        origin: 'VirtualService shop/reviews',
        message: 'Referenced host not found: "ratings"',
        documentationUrl: 'https://istio.io/v1.27/docs/reference/config/analysis/ist0101/?ref=istioctl-analyze',
        reference: '-:12',
        source: 'istioctl',
      },
    ],
  });
  t.same((await readFile(path.join(dir, 'args'), 'utf8')).trim().split('\n'), [
    'analyze',
    '-',
    '--output',
    'json',
    '--namespace',
    'shop',
    '--kubeconfig',
    '/tmp/kc',
    '--context',
    'kind-a',
  ]);
  const stdin = await readFile(path.join(dir, 'stdin'), 'utf8');
  t.equal(stdin, toMultiDocYaml(objects));
  t.match(stdin, /"kind":"DestinationRule"[\s\S]*\n---\n[\s\S]*"kind":"VirtualService"/);
});

t.test('objects reach istioctl as YAML 1.1 reads them: "on", "yes", "off" stay strings', async (t) => {
  const vs = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'r', namespace: 'shop' },
    spec: {
      hosts: ['r'],
      http: [{ match: [{ headers: { 'x-chaos': { exact: 'on' } } }], headers: { request: { set: { a: 'yes', b: 'off', c: 'true' } } } }],
    },
  };
  const docs = toMultiDocYaml([vs, vs]).split(/^---\n/m);
  t.equal(docs.length, 2);
  for (const doc of docs) t.same(parse(doc, { version: '1.1' }), vs, 'a YAML 1.1 parser (istioctl is one) reads back exactly the object');
});

t.test('analyze: no objects means no stdin; -A; options from createIstioctl', async (t) => {
  const dir = path.join(root, 'live');
  const bin = await script(
    dir,
    'istioctl',
    `printf '%s\\n' "$@" > "${dir}/args"\nif read -r line; then echo got-stdin >> "${dir}/args"; fi\necho '[]'`,
  );
  const istioctl = createIstioctl({ explicit: bin, kubeconfig: '/k', context: 'c', env: { PATH: SYSTEM_PATH } });
  t.same(await istioctl.analyze({ objects: [], allNamespaces: true, namespace: 'ignored' }), { used: true, findings: [] });
  t.same((await readFile(path.join(dir, 'args'), 'utf8')).trim().split('\n'), [
    'analyze',
    '--output',
    'json',
    '--all-namespaces',
    '--kubeconfig',
    '/k',
    '--context',
    'c',
  ]);
  t.same(analyzeArgs({ objects: [] }), ['analyze', '--output', 'json']);
});

t.test('analyze: istioctl missing', async (t) => {
  t.same(await analyzeWithIstioctl({ objects: [], env: { PATH: path.join(root, 'nothing-here') } }), {
    used: false,
    notice: 'istioctl not found on PATH; only built-in checks ran (pass --istioctl PATH or set ISTIOCTL)',
  });
});

t.test('analyze: a slow istioctl is stopped at the timeout', async (t) => {
  const bin = await script(path.join(root, 'slow'), 'istioctl', 'exec sleep 30');
  const started = Date.now();
  const r = await analyzeWithIstioctl({ explicit: bin, objects: [], timeoutMs: 300, env: { PATH: SYSTEM_PATH } });
  t.same(r, { used: false, notice: 'istioctl analyze timed out after 0.3s; only built-in checks ran' });
  t.ok(Date.now() - started < 5_000, `returned in ${Date.now() - started}ms`);
});

t.test('analyze: a wrapper whose child keeps stdout open does not hang us', async (t) => {
  const dir = path.join(root, 'wrapper');
  const bin = await script(dir, 'istioctl', `sleep 30 &\necho $! > "${dir}/child.pid"\nwait`);
  const started = Date.now();
  const r = await analyzeWithIstioctl({ explicit: bin, objects: [], timeoutMs: 300, env: { PATH: SYSTEM_PATH } });
  // The grandchild outlives the killed wrapper; it is ours, so end it by its pid.
  process.kill(Number(await readFile(path.join(dir, 'child.pid'), 'utf8')), 'SIGKILL');
  t.equal(r.used, false);
  t.match(r, { notice: /timed out after 0\.3s/ });
  t.ok(Date.now() - started < 8_000, `returned in ${Date.now() - started}ms`);
});

t.test('analyze: crash, namespace not found, unreadable output', async (t) => {
  const dir = path.join(root, 'bad');
  const crash = await script(dir, 'crash', 'echo "panic: runtime error: invalid memory address" >&2\nexit 2');
  t.same(await analyzeWithIstioctl({ explicit: crash, objects: [] }), {
    used: false,
    notice: 'istioctl analyze failed (exit code 2: panic: runtime error: invalid memory address); only built-in checks ran',
  });
  const big = Array.from({ length: 2000 }, (_, i) => ({ kind: 'ConfigMap', metadata: { name: `cm${i}` }, data: { x: 'y'.repeat(1000) } }));
  t.same(
    await analyzeWithIstioctl({ explicit: crash, objects: big }),
    {
      used: false,
      notice: 'istioctl analyze failed (exit code 2: panic: runtime error: invalid memory address); only built-in checks ran',
    },
    'exiting before reading a 2 MB stdin (EPIPE) is just a crash',
  );
  const killed = await script(dir, 'killed', 'kill -9 $$');
  t.same(await analyzeWithIstioctl({ explicit: killed, objects: [] }), {
    used: false,
    notice: 'istioctl analyze failed (killed by SIGKILL); only built-in checks ran',
  });
  const noNs = await script(dir, 'nons', 'echo \'namespace "shop" not found\' >&2\nexit 0');
  t.same(await analyzeWithIstioctl({ explicit: noNs, objects: [], namespace: 'shop' }), {
    used: false,
    notice: 'istioctl analyzed nothing: namespace "shop" not found; only built-in checks ran',
  });
  const garbage = await script(dir, 'garbage', 'echo "Error [IST0101] (VirtualService shop/reviews) log format"');
  t.same(await analyzeWithIstioctl({ explicit: garbage, objects: [] }), {
    used: false,
    notice:
      'istioctl analyze failed (unreadable output: Error [IST0101] (VirtualService shop/reviews) log format); only built-in checks ran',
  });
  const silent = await script(dir, 'silent', 'exit 0');
  t.same(await analyzeWithIstioctl({ explicit: silent, objects: [] }), {
    used: false,
    notice: 'istioctl analyze failed (no output); only built-in checks ran',
  });
  const usage = await script(dir, 'usage', 'echo "Error: unknown flag: --output" >&2\nexit 64');
  t.same(await analyzeWithIstioctl({ explicit: usage, objects: [] }), {
    used: false,
    notice: 'istioctl analyze failed (exit code 64: Error: unknown flag: --output); only built-in checks ran',
  });
  const notScript = path.join(dir, 'not-a-program');
  await writeFile(notScript, '\u0000\u0001binary junk');
  await chmod(notScript, 0o755);
  const r = await analyzeWithIstioctl({ explicit: notScript, objects: [] });
  t.equal(r.used, false, 'an executable that cannot start');
  t.match(r, { notice: /^istioctl analyze failed \(.+\); only built-in checks ran$/ });
});

t.test('version: JSON first, --short text as fallback, read once', async (t) => {
  const dir = path.join(root, 'version');
  const modern = await script(
    dir,
    'modern',
    [
      `echo "$*" >> "${dir}/calls"`,
      'case "$*" in *json*) echo \'{"clientVersion":{"version":"1.27.3","revision":"abc","golang_version":"go1.24.6","status":"Clean","tag":"1.27.3"}}\';; *) exit 1;; esac',
    ].join('\n'),
  );
  const istioctl = createIstioctl({ explicit: modern });
  t.equal(await istioctl.version(), '1.27.3');
  t.equal(await istioctl.version(), '1.27.3');
  t.equal((await readFile(path.join(dir, 'calls'), 'utf8')).trim(), 'version --remote=false --output json', 'run once');
  t.equal(await istioctlVersion({ explicit: modern }), '1.27.3');
  t.equal(await istioctlVersion({ explicit: modern }), '1.27.3');
  t.equal((await readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n').length, 2, 'module cache: once more, then cached');

  const old = await script(dir, 'old', 'case "$*" in *json*) echo "Error: unknown flag: --output" >&2; exit 64;; *) echo "1.22.1";; esac');
  t.equal(await createIstioctl({ explicit: old }).version(), '1.22.1');
  const broken = await script(dir, 'broken', 'exit 3');
  t.equal(await createIstioctl({ explicit: broken }).version(), undefined);
  t.equal(await createIstioctl({ env: { PATH: '' } }).version(), undefined);
  t.equal(await istioctlVersion({ env: { PATH: '' } }), undefined);
});

t.test('parseIstioctlVersion', async (t) => {
  t.equal(parseIstioctlVersion('{"clientVersion":{"version":"1.28.0"}}'), '1.28.0');
  t.equal(parseIstioctlVersion('1.27.3\n'), '1.27.3');
  t.equal(parseIstioctlVersion('client version: 1.26.0-beta.1\n'), '1.26.0-beta.1');
  t.equal(parseIstioctlVersion('{"clientVersion":{}}'), undefined);
  t.equal(parseIstioctlVersion(''), undefined);
  t.equal(parseIstioctlVersion('no version here'), undefined);
});
