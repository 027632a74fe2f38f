// client-go's exec credential plugins (client.authentication.k8s.io v1 / v1beta1): run the command
// with KUBERNETES_EXEC_INFO, read an ExecCredential from its stdout, keep it until it expires.
// Stdin is handed over only when the plugin may be interactive and stdin is a terminal; its stderr
// goes to ours (login prompts, device codes), as with kubectl.
import { ExternalToolError, UsageError } from '../errors.js';
import type { ResolvedConfig } from './context.js';
import type { KubeExec } from './kubeconfig.js';

const API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];
const CLUSTER_INFO_EXTENSION = 'client.authentication.k8s.io/exec';

export interface ExecResult {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expiresAt?: number;
}

export interface ExecIO {
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
  now?: () => number;
}

export class ExecCredential {
  #cached?: ExecResult;

  constructor(
    private readonly rc: ResolvedConfig,
    private readonly exec: KubeExec,
    private readonly io: ExecIO,
  ) {
    if (!exec.command)
      throw new UsageError(`user "${rc.userName}": exec has no command`, 'set users[].user.exec.command in the kubeconfig');
    if (!exec.apiVersion || !API_VERSIONS.includes(exec.apiVersion)) {
      throw new UsageError(
        `user "${rc.userName}": exec apiVersion "${exec.apiVersion ?? ''}" is not supported`,
        `use one of: ${API_VERSIONS.join(', ')}`,
      );
    }
  }

  /** The cached credential while it is valid, else a fresh one. */
  async get(): Promise<ExecResult> {
    const now = (this.io.now ?? Date.now)();
    if (this.#cached && (this.#cached.expiresAt === undefined || this.#cached.expiresAt > now)) return this.#cached;
    this.#cached = await this.run();
    return this.#cached;
  }

  /** After a 401: forget the credential so the next get() runs the plugin again. */
  invalidate(): void {
    this.#cached = undefined;
  }

  private interactive(): boolean {
    const mode = this.exec.interactiveMode ?? 'IfAvailable';
    if (mode === 'Never') return false;
    if (mode === 'Always' && !this.io.stdinIsTTY) {
      throw new UsageError(
        `the credential plugin of user "${this.rc.userName}" needs a terminal (interactiveMode: Always) and stdin is not one`,
        'run the command in a terminal, or log in first so the plugin has a cached credential',
      );
    }
    return this.io.stdinIsTTY;
  }

  private execInfo(interactive: boolean): string {
    const spec: Record<string, unknown> = { interactive };
    if (this.exec.provideClusterInfo) {
      const c = this.rc.cluster;
      const config = c.extensions?.find((e) => e.name === CLUSTER_INFO_EXTENSION)?.extension;
      spec.cluster = {
        server: c.server,
        'tls-server-name': c['tls-server-name'],
        'insecure-skip-tls-verify': c['insecure-skip-tls-verify'],
        'certificate-authority-data': c['certificate-authority-data'],
        'proxy-url': c['proxy-url'],
        'disable-compression': c['disable-compression'],
        ...(config !== undefined ? { config } : {}),
      };
    }
    return JSON.stringify({ apiVersion: this.exec.apiVersion, kind: 'ExecCredential', spec });
  }

  private async run(): Promise<ExecResult> {
    const interactive = this.interactive();
    const env: NodeJS.ProcessEnv = { ...this.io.env, KUBERNETES_EXEC_INFO: this.execInfo(interactive) };
    for (const e of this.exec.env ?? []) env[e.name] = e.value;
    const command = this.exec.command!;
    // Loaded on demand: child_process costs ~4 ms at start-up, and most kubeconfigs have no exec plugin.
    const { spawn } = await import('node:child_process');
    return new Promise<ExecResult>((resolve, reject) => {
      const child = spawn(command, this.exec.args ?? [], { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => this.io.stderr.write(c));
      child.on('error', (err: NodeJS.ErrnoException) => {
        const hint = this.exec.installHint?.trim().split('\n')[0] || 'install it, or fix users[].user.exec.command in the kubeconfig';
        reject(
          new ExternalToolError(
            `cannot run the credential plugin "${command}" of kubeconfig user "${this.rc.userName}": ${err.code ?? err.message}`,
            hint,
          ),
        );
      });
      child.on('close', (code) => {
        if (code !== 0) {
          reject(
            new ExternalToolError(
              `the credential plugin "${command}" of kubeconfig user "${this.rc.userName}" exited with code ${code}`,
              'run it by hand to see why, or log in again',
            ),
          );
          return;
        }
        try {
          resolve(this.parse(Buffer.concat(out).toString('utf8')));
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  private parse(stdout: string): ExecResult {
    const bad = (why: string) =>
      new ExternalToolError(
        `the credential plugin of kubeconfig user "${this.rc.userName}" ${why}`,
        'the plugin must print an ExecCredential (client.authentication.k8s.io) as JSON',
      );
    let doc: {
      apiVersion?: string;
      kind?: string;
      status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string };
    };
    try {
      doc = JSON.parse(stdout) as typeof doc; // its fields are checked below before use
    } catch {
      throw bad('printed no JSON');
    }
    if (doc?.kind !== 'ExecCredential' || doc.apiVersion !== this.exec.apiVersion)
      throw bad(`printed apiVersion "${doc?.apiVersion}", kind "${doc?.kind}"; expected ${this.exec.apiVersion} ExecCredential`);
    const s = doc.status ?? {};
    if (!s.token && !(s.clientCertificateData && s.clientKeyData)) throw bad('returned neither a token nor a client certificate and key');
    const expiresAt = s.expirationTimestamp ? Date.parse(s.expirationTimestamp) : undefined;
    return {
      ...(s.token ? { token: s.token } : {}),
      ...(s.clientCertificateData && s.clientKeyData
        ? { clientCertificateData: s.clientCertificateData, clientKeyData: s.clientKeyData }
        : {}),
      ...(expiresAt !== undefined && !Number.isNaN(expiresAt) ? { expiresAt } : {}),
    };
  }
}
