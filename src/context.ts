// One object with the I/O streams, the output mode and lazy, cached clients.
// Commands get everything through it, so tests can hand in their own pieces.
import type { FlagValues } from './cli/flags.js';
import { bool, list, parseDuration, str } from './cli/global-flags.js';
import type { KubeClient } from './kube/index.js';
import type { Prompter } from './ui/prompt.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Context {
  readonly streams: Streams;
  readonly env: NodeJS.ProcessEnv;
  readonly flags: FlagValues;
  /** Prompts are allowed: stdin and stdout are terminals and --no-input was not given. */
  readonly interactive: boolean;
  /** Colour on stdout. */
  readonly color: boolean;
  readonly verbosity: number;
  readonly output: 'table' | 'json' | 'yaml';
  now(): Date;
  kube(): Promise<KubeClient>;
  /** Writes a line to stderr (progress, notices, warnings). */
  note(line: string): void;
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
    flags,
    interactive,
    color,
    verbosity,
    output: (str(flags, 'output') as Context['output']) ?? 'table',
    now: deps.now ?? (() => new Date()),
    note: (line) => { streams.stderr.write(`${line}\n`); },
    kube() {
      if (deps.kube) return (kube ??= deps.kube());
      kube ??= import('./kube/index.js').then(({ connect }) =>
        connect({
          kubeconfig: str(flags, 'kubeconfig'),
          context: str(flags, 'context'),
          cluster: str(flags, 'cluster'),
          user: str(flags, 'user'),
          namespace: str(flags, 'namespace'),
          as: str(flags, 'as'),
          asGroups: list(flags, 'as-group'),
          requestTimeoutMs: str(flags, 'request-timeout') === undefined ? undefined : parseDuration(str(flags, 'request-timeout')!, 'request-timeout'),
          env,
          log: verbosity >= 6 ? (line) => streams.stderr.write(`${line}\n`) : undefined,
        }),
      );
      return kube;
    },
  };
}
