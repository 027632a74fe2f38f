// One object with the I/O streams, the output mode and lazy, cached clients.
// Commands get everything through it, so tests can hand in their own pieces.
import type { FlagValues } from './cli/flags.js';
import { bool, list, parseRequestTimeout, str } from './cli/global-flags.js';
import type { ConnectionOptions, KubeClient } from './kube/index.js';
import type { Prompter } from './ui/prompter.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Context {
  readonly streams: Streams;
  readonly env: NodeJS.ProcessEnv;
  /** Prompts are allowed: stdin and stdout are terminals and --no-input was not given. */
  readonly interactive: boolean;
  /** --no-input was given (to say why nothing is asked). */
  readonly noInput: boolean;
  /** Colour on stdout. */
  readonly color: boolean;
  readonly verbosity: number;
  readonly output: 'table' | 'json' | 'yaml';
  now(): Date;
  kube(): Promise<KubeClient>;
  /** Writes a line to stderr (progress, notices, warnings). */
  note: (line: string) => void;
  /** Answers questions instead of inquirer (command tests); see src/ui/prompt.ts. */
  readonly prompter?: Prompter;
}

/** What tests may hand in instead of the real thing (command tests: a fake KubeClient, a fixed clock). */
export interface ContextDeps {
  kube?: () => Promise<KubeClient>;
  now?: () => Date;
}

export function createContext(streams: Streams, env: NodeJS.ProcessEnv, flags: FlagValues, deps: ContextDeps = {}): Context {
  let kube: Promise<KubeClient> | undefined;
  const verbosity = Number(str(flags, 'v') ?? 0) || 0;
  const interactive = Boolean(streams.stdin.isTTY && streams.stdout.isTTY) && !bool(flags, 'no-input');
  const color = Boolean(streams.stdout.isTTY) && !env.NO_COLOR && !bool(flags, 'no-color') && env.TERM !== 'dumb';
  return {
    streams,
    env,
    interactive,
    noInput: bool(flags, 'no-input'),
    color,
    verbosity,
    output: (str(flags, 'output') as Context['output']) ?? 'table',
    now: deps.now ?? (() => new Date()),
    note: (line) => {
      streams.stderr.write(`${line}\n`);
    },
    kube() {
      if (deps.kube) return (kube ??= deps.kube());
      kube ??= import('./kube/index.js').then(({ connect }) =>
        connect({
          ...connectionOptions(flags),
          env,
          stdinIsTTY: Boolean(streams.stdin.isTTY),
          stderr: streams.stderr,
          log: verbosity >= 6 ? (line) => streams.stderr.write(`${line}\n`) : undefined,
          warn: (text) => streams.stderr.write(`Warning: ${text}\n`),
        }),
      );
      return kube;
    },
  };
}

/** kubectl's connection flags as the kube adapter takes them (undefined = not given). */
export function connectionOptions(flags: FlagValues): ConnectionOptions {
  const timeout = str(flags, 'request-timeout');
  const insecure = flags['insecure-skip-tls-verify'];
  return {
    kubeconfig: str(flags, 'kubeconfig'),
    context: str(flags, 'context'),
    cluster: str(flags, 'cluster'),
    user: str(flags, 'user'),
    namespace: str(flags, 'namespace'),
    server: str(flags, 'server'),
    certificateAuthority: str(flags, 'certificate-authority'),
    clientCertificate: str(flags, 'client-certificate'),
    clientKey: str(flags, 'client-key'),
    insecureSkipTlsVerify: typeof insecure === 'boolean' ? insecure : undefined,
    tlsServerName: str(flags, 'tls-server-name'),
    token: str(flags, 'token'),
    username: str(flags, 'username'),
    password: str(flags, 'password'),
    as: str(flags, 'as'),
    asGroups: list(flags, 'as-group'),
    asUid: str(flags, 'as-uid'),
    cacheDir: str(flags, 'cache-dir'),
    requestTimeoutMs: timeout === undefined ? undefined : parseRequestTimeout(timeout),
    matchServerVersion: flags['match-server-version'] === true,
  };
}
