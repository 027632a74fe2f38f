// Kubeconfig loading with client-go's rules, because a kubectl plugin must see the same
// cluster as the kubectl that launched it. client-node's loadFromDefault differs (it takes
// current-context from the LAST file of KUBECONFIG), so only authentication is left to it.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { MeshError, UsageError } from '../errors.js';

export interface KubeCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
  'disable-compression'?: boolean;
  extensions?: { name: string; extension: unknown }[];
}
export interface KubeExec {
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  apiVersion?: string;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
  [k: string]: unknown;
}
export interface KubeUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: KubeExec;
  'auth-provider'?: { name: string; config?: Record<string, string> };
  as?: string;
  'as-uid'?: string;
  'as-groups'?: string[];
  'as-user-extra'?: Record<string, string[]>;
}
export interface KubeContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

export interface Kubeconfig {
  /** The files that were read, in priority order. */
  files: string[];
  clusters: Map<string, KubeCluster>;
  users: Map<string, KubeUser>;
  contexts: Map<string, KubeContext>;
  currentContext?: string;
}

export interface KubeconfigSource {
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

/** The files kubectl would read: --kubeconfig alone, else KUBECONFIG's existing files, else ~/.kube/config. */
export function kubeconfigPaths(src: KubeconfigSource): string[] {
  const env = src.env ?? process.env;
  if (src.kubeconfig) {
    const file = resolve(src.kubeconfig);
    if (!isFile(file)) throw new UsageError(`kubeconfig file "${src.kubeconfig}" does not exist`, 'check the --kubeconfig path');
    return [file];
  }
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter)
      .filter((f) => f !== '')
      .map((f) => resolve(f));
    return [...new Set(files)].filter(isFile);
  }
  const home = join(src.homeDir ?? env.HOME ?? homedir(), '.kube', 'config');
  return isFile(home) ? [home] : [];
}

/** Merges files with client-go's priority: the first file defining a name or current-context wins. */
export function loadKubeconfig(files: string[]): Kubeconfig {
  const kc: Kubeconfig = { files, clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    const doc = readConfig(file);
    const dir = dirname(file);
    for (const { name, cluster } of named<KubeCluster>(doc.clusters, 'cluster')) {
      if (!kc.clusters.has(name)) kc.clusters.set(name, resolveCluster(cluster, dir));
    }
    for (const { name, user } of named<KubeUser>(doc.users, 'user')) {
      if (!kc.users.has(name)) kc.users.set(name, resolveUser(user, dir));
    }
    for (const { name, context } of named<KubeContext>(doc.contexts, 'context')) {
      if (!kc.contexts.has(name)) kc.contexts.set(name, context);
    }
    if (!kc.currentContext && typeof doc['current-context'] === 'string' && doc['current-context']) {
      kc.currentContext = doc['current-context'];
    }
  }
  return kc;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readConfig(file: string): Record<string, unknown> {
  try {
    const doc: unknown = parse(readFileSync(file, 'utf8'));
    // An empty file is a valid, empty kubeconfig for client-go.
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new MeshError(
      `cannot load kubeconfig file "${file}": ${reason}`,
      undefined,
      'fix the file or point --kubeconfig/KUBECONFIG elsewhere',
      { cause: err },
    );
  }
}

function named<T>(list: unknown, key: string): ({ name: string } & Record<string, T>)[] {
  if (!Array.isArray(list)) return [];
  return (list as unknown[])
    .filter(
      (e): e is { name: string } & Record<string, unknown> =>
        typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' && (e as { name: string }).name !== '',
    )
    .map((e) => ({ ...e, [key]: e[key] ?? {} }) as { name: string } & Record<string, T>);
}

// client-go resolves these against the directory of the file that defined the entry.
function resolveCluster(c: KubeCluster, dir: string): KubeCluster {
  return { ...c, 'certificate-authority': relTo(dir, c['certificate-authority']) };
}

function resolveUser(u: KubeUser, dir: string): KubeUser {
  const out: KubeUser = {
    ...u,
    'client-certificate': relTo(dir, u['client-certificate']),
    'client-key': relTo(dir, u['client-key']),
    tokenFile: relTo(dir, u.tokenFile),
  };
  // A bare command name is looked up on PATH, as client-go does.
  if (u.exec?.command?.includes('/')) out.exec = { ...u.exec, command: relTo(dir, u.exec.command) };
  return out;
}

function relTo(dir: string, file: string | undefined): string | undefined {
  return !file || isAbsolute(file) ? file : join(dir, file);
}

/** The context, cluster and user a connection uses, after flags and defaults (context.ts resolves it). */
export interface ResolvedConfig {
  contextName: string;
  clusterName: string;
  cluster: KubeCluster & { server: string };
  /** Empty for a context without a user (anonymous requests). */
  userName: string;
  user: KubeUser;
  namespace: string;
  /** True when the pod's service account was used (no kubeconfig context). */
  inCluster?: boolean;
}
