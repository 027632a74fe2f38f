// npm run score:analyzers — scores `kubectl mesh analyze` (and, alongside, the real istioctl) against
// Istio's own analyzer test cases, read from the pinned istio.io/istio module in the Go module cache:
// the YAML under pkg/config/analysis/analyzers/testdata/ and the expected (code, resource) pairs of
// analyzers_test.go, extracted by scripts/analyzer-cases (go/ast). Nothing of Istio's is copied here.
//
// Per case, only the codes we claim AND that case's analyzer can emit are counted (a case written for
// the DestinationRule analyzer says nothing about IST0130). Findings are matched as a multiset of
// (code, origin); an expected origin without a namespace matches any namespace.
//
// Ends with one line per claimed code: `CODE precision P recall R` (ours, two decimals).
// Flags: --verbose (every miss and extra), --json (the figures as JSON instead of the table).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { binaryPath, moduleInfo, versions } from '../test/cluster/build.mjs';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLAIMED = ['IST0101', 'IST0109', 'IST0130', 'IST0131', 'IST0173', 'IST0174'];
const verbose = process.argv.includes('--verbose');

/**
 * Where we deliberately differ from Istio. An expected pair (or a finding of ours) matching one of
 * these is left out of the score and listed, so a difference is a decision, never a silent miss.
 */
const EXCEPTIONS = [
  {
    code: 'IST0101',
    kinds: ['Gateway', 'Sidecar', 'Telemetry', 'AuthorizationPolicy'],
    why:
      "not routing: workload selectors, TLS secrets (credentialName) and policy namespaces are istioctl's checks; " +
      'kubectl-mesh checks what VirtualServices reference (hosts, subsets, ports, gateways) and runs istioctl alongside when it is found',
  },
];
EXCEPTIONS.push(
  {
    code: 'IST0101, IST0173, IST0174',
    offline: true,
    why:
      'offline, a check that needs an object the files do not hold (no Service in that namespace, no ServiceEntry, no DestinationRule for the host, ' +
      'no Pod or Deployment) is reported as MESH0005 (Info, not checked) instead of a guess: GitOps files rarely hold every Service, and never Pods. ' +
      'Counted here when our output has MESH0005 on the same object',
  },
  {
    code: 'IST0130',
    covered: true,
    why:
      'a rule whose matches earlier rules all cover without being identical can never match, so we report IST0130 ("all matches covered by prior rules") ' +
      'besides IST0131 per match; Istio reports IST0130 only for identical matches',
  },
);
/** Is this expected pair or finding of ours left out? `ours`: all our findings of the case (MESH0005 included). */
function excepted(f, ours) {
  const kind = f.origin.split(' ')[0];
  if (f.code === 'IST0101' && EXCEPTIONS[0].kinds.includes(kind)) return EXCEPTIONS[0];
  if (
    ['IST0101', 'IST0173', 'IST0174'].includes(f.code) &&
    ours.includes(f) === false &&
    ours.some((o) => o.code === 'MESH0005' && sameObject(o.origin, f.origin)) &&
    !ours.some((o) => o.code === f.code && sameObject(o.origin, f.origin))
  )
    return EXCEPTIONS[1];
  if (f.code === 'IST0130' && / not used \(all matches covered by prior rules\)/.test(f.message ?? '')) return EXCEPTIONS[2];
  return undefined;
}

async function istioModuleDir() {
  const { module, version } = versions.istio;
  const { Dir } = await moduleInfo(module, version); // a no-op when the module is already in the cache
  return Dir;
}

async function readCases(istioDir) {
  const { stdout } = await run('go', ['run', '.', istioDir], {
    cwd: path.join(repo, 'scripts', 'analyzer-cases'),
    maxBuffer: 16 << 20,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: process.env.GOTOOLCHAIN || versions.go.toolchain },
  });
  return JSON.parse(stdout);
}

/** `kubectl mesh` through kubectl's plugin dispatch, with the repo's plugin/ first on PATH. */
/** Our findings; an abort (exit other than 0/1) counts as finding nothing, and is reported. */
async function meshFindings(files, notes) {
  const args = ['mesh', 'analyze', ...files.flatMap((f) => ['-f', f]), '-A', '-o', 'json'];
  const env = { ...process.env, PATH: `${path.join(repo, 'plugin')}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1' };
  delete env.ISTIOCTL; // offline: built-in checks only, by design
  const r = await run('kubectl', args, { env, maxBuffer: 16 << 20 }).catch((e) => e);
  if (r.code !== undefined && r.code !== 0 && r.code !== 1) {
    notes.push(
      `kubectl mesh analyze aborted (exit ${r.code}) on ${files.map((f) => path.basename(f)).join(' ')}: ${String(r.stderr).trim()}`,
    );
    return [];
  }
  return JSON.parse(r.stdout || '[]');
}

function findIstioctl() {
  const p = process.env.ISTIOCTL || binaryPath('istio');
  return existsSync(p) ? p : undefined;
}

async function istioctlFindings(istioctl, files) {
  const r = await run(istioctl, ['analyze', '--use-kube=false', '-A', '-o', 'json', ...files], { maxBuffer: 16 << 20 }).catch((e) => e);
  try {
    return JSON.parse(r.stdout || '[]');
  } catch {
    throw new Error(`istioctl analyze ${files.join(' ')}: ${r.stderr || r.stdout}`);
  }
}

/** `VirtualService ns/name`, `VirtualService name.ns` (older istioctl) or `VirtualService name` → kind, ns?, name. */
function parseOrigin(origin) {
  const [kind, ref = ''] = origin.split(' ');
  if (ref.includes('/')) {
    const [ns, name] = ref.split('/');
    return { kind, ns, name };
  }
  return { kind, name: ref };
}

function sameObject(a, b) {
  const x = parseOrigin(a);
  const y = parseOrigin(b);
  return x.kind === y.kind && x.name === y.name && (x.ns === undefined || y.ns === undefined || x.ns === y.ns);
}

/** Multiset matching of expected pairs against found ones (same code, kind and name; namespace when expected has one). */
function score(expected, found) {
  const left = [...found];
  let tp = 0;
  const missed = [];
  for (const e of expected) {
    const eo = parseOrigin(e.origin);
    const i = left.findIndex((f) => {
      const fo = parseOrigin(f.origin);
      return f.code === e.code && fo.kind === eo.kind && fo.name === eo.name && (eo.ns === undefined || fo.ns === eo.ns);
    });
    if (i >= 0) {
      tp++;
      left.splice(i, 1);
    } else missed.push(e);
  }
  return { tp, fp: left.length, fn: missed.length, missed, extra: left };
}

const ratio = (n, d) => (d === 0 ? 1 : n / d);
const two = (x) => x.toFixed(2);

async function main() {
  const istioDir = await istioModuleDir();
  const cases = (await readCases(istioDir)).filter((c) => c.emits.some((code) => CLAIMED.includes(code)));
  const istioctl = findIstioctl();
  const totals = Object.fromEntries(
    CLAIMED.map((c) => [c, { ours: { tp: 0, fp: 0, fn: 0 }, istioctl: { tp: 0, fp: 0, fn: 0 }, cases: 0, excepted: 0 }]),
  );
  const notes = [];
  for (const c of cases) {
    const codes = c.emits.filter((code) => CLAIMED.includes(code));
    const mine = await meshFindings(c.inputFiles, notes);
    const keep = (list, what) =>
      list
        .filter((f) => codes.includes(f.code))
        .filter((f) => {
          const ex = excepted(f, mine);
          if (ex && what === 'expected') totals[f.code].excepted++;
          return !ex;
        });
    const expected = keep(c.expected, 'expected');
    const ours = score(expected, keep(mine, 'ours'));
    const theirs = istioctl ? score(expected, keep(await istioctlFindings(istioctl, c.inputFiles), 'istioctl')) : undefined;
    for (const code of codes) {
      const t = totals[code];
      t.cases++;
      const add = (into, s) => {
        into.tp += expected.filter((e) => e.code === code).length - s.missed.filter((m) => m.code === code).length;
        into.fn += s.missed.filter((m) => m.code === code).length;
        into.fp += s.extra.filter((m) => m.code === code).length;
      };
      add(t.ours, ours);
      if (theirs) add(t.istioctl, theirs);
    }
    if (ours.fn || ours.fp) {
      notes.push(`${c.name} (${c.analyzer}): ${ours.fn} missed, ${ours.fp} extra`);
      if (verbose) {
        for (const m of ours.missed) notes.push(`    missed ${m.code} ${m.origin}`);
        for (const x of ours.extra) notes.push(`    extra  ${x.code} ${x.origin}: ${x.message}`);
      }
    }
  }

  const figures = CLAIMED.map((code) => {
    const t = totals[code];
    const pr = (s) => ({ precision: ratio(s.tp, s.tp + s.fp), recall: ratio(s.tp, s.tp + s.fn), ...s });
    return { code, cases: t.cases, excepted: t.excepted, ours: pr(t.ours), istioctl: istioctl ? pr(t.istioctl) : undefined };
  });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ istioModule: istioDir, istioctl: istioctl ?? null, exceptions: EXCEPTIONS, figures }, null, 2));
  } else {
    console.log(`Istio analyzer cases from ${istioDir} (${cases.length} cases for our codes)`);
    console.log(istioctl ? `istioctl: ${istioctl}` : 'istioctl: not found (set ISTIOCTL or run npm run cluster:up); its columns are empty');
    console.log('');
    console.log('| code | cases | kubectl mesh P | R | istioctl P | R | expected left out |');
    console.log('|---|---|---|---|---|---|---|');
    for (const f of figures) {
      const i = f.istioctl;
      console.log(
        `| ${f.code} | ${f.cases} | ${two(f.ours.precision)} | ${two(f.ours.recall)} | ${i ? two(i.precision) : '–'} | ${i ? two(i.recall) : '–'} | ${f.excepted} |`,
      );
    }
    console.log('');
    console.log('Documented exceptions (left out of both scores):');
    for (const e of EXCEPTIONS) console.log(`- ${e.code}${e.kinds ? ` on ${e.kinds.join(', ')}` : ''}: ${e.why}`);
    if (notes.length) {
      console.log('');
      console.log("Differences from Istio's expectations:");
      for (const n of notes) console.log(`  ${n}`);
    }
    console.log('');
  }
  for (const f of figures) console.log(`${f.code} precision ${two(f.ours.precision)} recall ${two(f.ours.recall)}`);
}

main().catch((err) => {
  console.error(`score:analyzers: ${err.message}`);
  process.exit(1);
});
