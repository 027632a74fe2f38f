// Thin adapter around the istioctl binary: execa, no shell, array args, bounded time, never throws
// for "istioctl is missing / slow / broken" — those become a one-line notice, because istioctl is
// optional (the built-in checks always run).

import { execa } from 'execa';
import { parseIstioctlAnalyzeJson } from '../analysis/istioctl-output.js';
import type { IstioctlAnalyzeRequest, IstioctlAnalyzeResult, Obj } from '../analysis/types.js';
import { withIstioctlConnection, type ConnectionSource } from './connection.js';
import { locateIstioctlWithSource, missingIstioctlNotice, type LocateOptions } from './locate.js';
import { isForbidden, restrictedArgs, restrictedNotice } from './restricted.js';

export const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_BUFFER = 32 * 1024 * 1024;
const ONLY_BUILT_IN = 'only built-in checks ran';

export interface IstioctlOptions extends LocateOptions {
  /** Per invocation; default 20 s. */
  timeoutMs?: number;
  /** Passed as --kubeconfig / --context; KUBECONFIG in the environment is inherited. */
  kubeconfig?: string;
  context?: string;
  /**
   * The effective cluster and identity as a kubeconfig (see kube's toolKubeconfig). When given,
   * analyze writes it to a private temporary file (0600, removed afterwards) and passes only that,
   * so istioctl talks to the same server as the same user (impersonation included) as we do.
   */
  effectiveKubeconfig?: ConnectionSource;
}

interface RunOutcome {
  stdout: string;
  stderr: string;
  exitCode?: number;
  timedOut: boolean;
  /** Could not start at all, or killed by a signal. */
  failure?: string;
}

async function run(
  bin: string,
  args: string[],
  opts: { timeoutMs: number; input?: string; env?: Record<string, string | undefined> },
): Promise<RunOutcome> {
  const sub = execa(bin, args, {
    reject: false,
    timeout: opts.timeoutMs,
    forceKillAfterDelay: 1_000,
    maxBuffer: MAX_BUFFER,
    stripFinalNewline: false,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    ...(opts.env ? { env: opts.env } : {}), // merged over process.env (KUBECONFIG etc. are inherited)
  });
  // A wrapper script killed on timeout can leave a child holding stdout open; do not wait for it.
  let guard: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    guard = setTimeout(() => {
      resolve('late');
    }, opts.timeoutMs + 2_000);
  });
  const r = await Promise.race([sub, late]);
  clearTimeout(guard);
  if (r === 'late') {
    sub.stdout?.destroy();
    sub.stderr?.destroy();
    sub.kill('SIGKILL');
    return { stdout: '', stderr: '', timedOut: true };
  }
  const out: RunOutcome = {
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
    timedOut: r.timedOut,
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
  };
  if (!r.timedOut && r.exitCode === undefined) out.failure = r.signal ? `killed by ${r.signal}` : (r.shortMessage ?? 'could not start');
  return out;
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;
const firstLine = (s: string): string =>
  s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '') ?? '';

/** Multi-document YAML for `istioctl analyze -`. */
/**
 * The objects as a multi-document stream for istioctl, each document written as JSON: istioctl reads
 * YAML 1.1, where an unquoted `on`, `yes` or `off` is a boolean, and YAML 1.2 writers (ours) leave
 * such strings unquoted: a header match `exact: "on"` would reach Istio as `true` and be rejected.
 */
export const toMultiDocYaml = (objects: readonly Obj[]): string => objects.map((o) => `${JSON.stringify(o)}\n`).join('---\n');

export function analyzeArgs(req: IstioctlAnalyzeRequest): string[] {
  const args = ['analyze'];
  if (req.objects.length > 0) args.push('-');
  args.push('--output', 'json');
  if (req.allNamespaces) args.push('--all-namespaces');
  else if (req.namespace) args.push('--namespace', req.namespace);
  if (req.kubeconfig) args.push('--kubeconfig', req.kubeconfig);
  if (req.context) args.push('--context', req.context);
  return args;
}

export interface Istioctl {
  /** Absolute path, or undefined when istioctl is not available. Looked up once. */
  locate: () => Promise<string | undefined>;
  /** Client version, e.g. "1.27.3"; read once. Undefined when istioctl is missing or says nothing usable. */
  version(): Promise<string | undefined>;
  /** `istioctl analyze` of the proposed objects over the live cluster. Never throws. */
  analyze: (req: IstioctlAnalyzeRequest) => Promise<IstioctlAnalyzeResult>;
}

/** Parse `istioctl version -o json` ({clientVersion:{version}}) or the `--short` text ("1.27.3"). */
export function parseIstioctlVersion(stdout: string): string | undefined {
  const text = stdout.trim();
  if (text === '') return undefined;
  try {
    const v = (JSON.parse(text) as { clientVersion?: { version?: unknown } })?.clientVersion?.version;
    if (typeof v === 'string' && v) return v;
  } catch {
    /* not JSON: try the text forms */
  }
  const m = /(?:client version:\s*)?v?(\d+\.\d+[^\s]*)/i.exec(text);
  return m?.[1];
}

export function createIstioctl(opts: IstioctlOptions = {}): Istioctl {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let located: Promise<string | undefined> | undefined;
  let versionRead: Promise<string | undefined> | undefined;
  const runEnv = opts.env ? { env: opts.env } : {};

  const locate = (): Promise<string | undefined> =>
    (located ??= locateIstioctlWithSource(opts).then(
      (l) => l?.path,
      () => undefined,
    ));

  const version = (): Promise<string | undefined> =>
    (versionRead ??= (async () => {
      const bin = await locate();
      if (!bin) return undefined;
      const json = await run(bin, ['version', '--remote=false', '--output', 'json'], { timeoutMs, ...runEnv });
      const fromJson = json.exitCode === 0 ? parseIstioctlVersion(json.stdout) : undefined;
      if (fromJson) return fromJson;
      const short = await run(bin, ['version', '--remote=false', '--short'], { timeoutMs, ...runEnv });
      return short.exitCode === 0 ? parseIstioctlVersion(short.stdout) : undefined;
    })().catch(() => undefined));

  const analyze = async (req: IstioctlAnalyzeRequest): Promise<IstioctlAnalyzeResult> => {
    try {
      const bin = await locate();
      if (!bin) return { used: false, notice: missingIstioctlNotice(opts) };
      const limit = req.timeoutMs ?? timeoutMs;
      const given = { kubeconfig: req.kubeconfig ?? opts.kubeconfig, context: req.context ?? opts.context };
      const r = await withIstioctlConnection(opts.effectiveKubeconfig, given, (connection) =>
        run(bin, [...analyzeArgs({ ...req, kubeconfig: undefined, context: undefined }), ...connection], {
          timeoutMs: limit,
          ...(req.objects.length > 0 ? { input: toMultiDocYaml(req.objects) } : {}),
          ...runEnv,
        }),
      );
      if (r.timedOut) return { used: false, notice: `istioctl analyze timed out after ${seconds(limit)}; ${ONLY_BUILT_IN}` };
      if (r.failure) return { used: false, notice: `istioctl analyze failed (${r.failure}); ${ONLY_BUILT_IN}` };
      const parsed = parseIstioctlAnalyzeJson(r.stdout, r.stderr);
      if (parsed.ok) return { used: true, findings: parsed.findings };
      // eslint-disable-next-line @typescript-eslint/return-await -- kept as it was before the lint gate: its rejection is not this catch's
      if (r.exitCode !== 0 && isForbidden(r.stderr) && req.known?.length) return analyzeRestricted(bin, req, firstLine(r.stderr), limit);
      if (parsed.reason === 'namespace-not-found') {
        return { used: false, notice: `istioctl analyzed nothing: namespace "${parsed.namespace}" not found; ${ONLY_BUILT_IN}` };
      }
      const why =
        r.exitCode !== 0
          ? `exit code ${r.exitCode}${firstLine(r.stderr) ? `: ${firstLine(r.stderr)}` : ''}`
          : parsed.reason === 'empty'
            ? 'no output'
            : `unreadable output: ${parsed.detail.slice(0, 120)}`;
      return { used: false, notice: `istioctl analyze failed (${why}); ${ONLY_BUILT_IN}` };
    } catch (err) {
      return { used: false, notice: `istioctl analyze failed (${err instanceof Error ? err.message : String(err)}); ${ONLY_BUILT_IN}` };
    }
  };

  /** Without cluster access, on the objects the caller read (see restricted.ts). */
  const analyzeRestricted = async (
    bin: string,
    req: IstioctlAnalyzeRequest,
    reason: string,
    limit: number,
  ): Promise<IstioctlAnalyzeResult> => {
    const r = await run(bin, restrictedArgs(req.allNamespaces ? undefined : req.namespace), {
      timeoutMs: limit,
      input: toMultiDocYaml(req.known!),
      ...runEnv,
    });
    const parsed = parseIstioctlAnalyzeJson(r.stdout, r.stderr);
    if (!parsed.ok) return { used: false, notice: `istioctl analyze failed (${reason.replace(/^Error: /, '')}); ${ONLY_BUILT_IN}` };
    return { used: true, findings: parsed.findings, notice: restrictedNotice(reason.replace(/^Error: /, '')) };
  };

  return { locate, version, analyze };
}

/** One-shot form of `createIstioctl(opts).analyze(req)`. */
export const analyzeWithIstioctl = (req: IstioctlAnalyzeRequest & IstioctlOptions): Promise<IstioctlAnalyzeResult> =>
  createIstioctl(req).analyze(req);

const versionByPath = new Map<string, Promise<string | undefined>>();

/** The client version of the istioctl `opts` locate; read once per binary path and cached. */
export async function istioctlVersion(opts: IstioctlOptions = {}): Promise<string | undefined> {
  const istioctl = createIstioctl(opts);
  const bin = await istioctl.locate();
  if (!bin) return undefined;
  let v = versionByPath.get(bin);
  if (!v) {
    v = istioctl.version();
    versionByPath.set(bin, v);
  }
  return v;
}

/** The bounded, never-throwing runner, for the other istioctl verbs (proxy-status, validate). */
export { run as runIstioctl, type RunOutcome };
