// npm run demo:rollout — on the local test cluster (started, or reused, as by `npm run cluster:up`):
// a healthy stepped canary of shop/reviews (v1 → v2), gated by Prometheus and promoted; then a bad
// release (v1 again, now failing 30% of its requests) rolled back automatically (exit 4).
// The metrics come from the test bed's real Prometheus scraping its traffic source (which simulates
// the sidecars; every other part is real).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { up } from '../test/cluster/up.mjs';
import { stateDir } from '../test/cluster/state.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const state = await up(stateDir());
const env = {
  ...process.env,
  KUBECONFIG: state.kubeconfig,
  PATH: [path.join(repo, 'plugin'), path.dirname(state.binaries.istioctl), process.env.PATH].join(path.delimiter),
};
const gates = ['--analysis', 'success-rate>=99', '--analysis', 'p99<=500ms', '--prometheus', state.prometheusUrl];

function run(title, cmd, args) {
  console.log(`\n### ${title}\n$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { env, stdio: 'inherit' });
  console.log(`(exit ${r.status})`);
  return r.status;
}

run('healthy: 10% → 50% → 100% to v2, checked every 2s, promoted', 'kubectl', [
  'mesh',
  'canary',
  'reviews',
  '-n',
  'shop',
  '--stable',
  'v1',
  '--canary',
  'v2',
  '--steps',
  '10,50,100',
  '--interval',
  '6s',
  '--check-every',
  '2s',
  ...gates,
  '--promote',
]);
run('status: the routing and live metrics', 'kubectl', ['mesh', 'status', '-n', 'shop', '--prometheus', state.prometheusUrl]);
run('a bad release: reviews-v1 now fails 30% of its requests', 'kubectl', [
  'annotate',
  'deployment',
  'reviews-v1',
  '-n',
  'shop',
  '--overwrite',
  'sim.kubectl-mesh.io/error-rate=0.3',
]);
run('failing: rolled back to the routing before the rollout', 'kubectl', [
  'mesh',
  'canary',
  'reviews',
  '-n',
  'shop',
  '--stable',
  'v2',
  '--canary',
  'v1',
  '--steps',
  '25,50,100',
  '--interval',
  '6s',
  '--check-every',
  '2s',
  ...gates,
]);
run('history of reviews', 'kubectl', ['mesh', 'history', 'reviews', '-n', 'shop']);
spawnSync('kubectl', ['annotate', 'deployment', 'reviews-v1', '-n', 'shop', 'sim.kubectl-mesh.io/error-rate-'], { env, stdio: 'ignore' });
console.log(`\nThe cluster keeps running: MESH_CLUSTER_STATE_DIR=${state.dir} npm run cluster:down stops it.`);
