// A real Prometheus (Debian's package, pinned to the upstream version in versions.json; installed with
// apt-get when missing and we are root) scraping the traffic source every second, both on loopback.
// Prometheus keeps its data in <state dir>/prometheus-data; pids are recorded so cluster:down stops them.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, startProcess } from './state.mjs';

const pins = JSON.parse(readFileSync(new URL('./versions.json', import.meta.url), 'utf8')).prometheus;
const simScript = new URL('./traffic-sim.mjs', import.meta.url).pathname;

const versionOf = (bin) => {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? /version (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] : undefined;
};
const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim() || undefined;

/** The prometheus binary at the pinned version; installs Debian's package when it is missing. */
export function ensurePrometheus(log = console.log) {
  let bin = which('prometheus');
  if (!bin) {
    if (process.getuid?.() !== 0 || !which('apt-get')) {
      throw new Error(
        `prometheus ${pins.version} is not installed: apt-get install ${pins.debianPackage} (Debian bookworm ships ${pins.version})`,
      );
    }
    log(`installing ${pins.debianPackage} (apt-get)`);
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pins.debianPackage], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    bin = which('prometheus');
    if (r.status !== 0 || !bin) throw new Error(`apt-get install ${pins.debianPackage} failed`);
  }
  const version = versionOf(bin);
  if (!version?.startsWith(pins.version))
    throw new Error(`${bin} is version ${version ?? '?'}, the test bed pins ${pins.version} (Debian bookworm's ${pins.debianPackage})`);
  return { bin, version };
}

const get = (url) =>
  new Promise((resolve) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', () => resolve({ status: 0, body: '' }));
  });

async function waitFor(what, probe, proc, dir, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    if (proc.exited) throw new Error(`${what} exited during startup; see ${path.join(dir, 'logs', `${what}.log`)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000}s`);
}

/** Starts the traffic source and Prometheus; resolves { url, port, simPort, version, pids }. */
export async function startPrometheus(dir, kubeconfig, log = console.log) {
  const { bin, version } = ensurePrometheus(log);
  const simPort = await freePort();
  const sim = startProcess(dir, 'traffic-sim', process.execPath, [simScript, '--kubeconfig', kubeconfig, '--port', String(simPort)]);
  await waitFor('traffic-sim', async () => (await get(`http://127.0.0.1:${simPort}/healthz`)).status === 200, sim, dir);

  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: traffic-sim',
      '    honor_labels: true',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${simPort}']`,
      '',
    ].join('\n'),
  );
  const prom = startProcess(dir, 'prometheus', bin, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
    '--storage.tsdb.retention.time=2h',
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('prometheus', async () => (await get(`${url}/-/ready`)).status === 200, prom, dir);
  // Ready once the first scrape of the traffic source landed.
  await waitFor(
    'prometheus',
    async () => {
      const r = await get(`${url}/api/v1/query?query=${encodeURIComponent('up{job="traffic-sim"}')}`);
      return r.status === 200 && /"value":\[[^\]]*,"1"\]/.test(r.body);
    },
    prom,
    dir,
  );
  return { url, port, simPort, version, pids: { prometheus: prom.pid, 'traffic-sim': sim.pid } };
}
