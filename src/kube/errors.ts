// The only place HTTP statuses and socket errors become MeshErrors: one line naming the
// problem (the API server's own message where it has one, since it names verb, resource
// and namespace) and a hint naming the fix.
import { STATUS_CODES } from 'node:http';
import { ConflictError, ExitCode, ForbiddenError, MeshError, NotFoundError, UnreachableError } from '../errors.js';

const RBAC_HINT = 'ask a cluster admin to bind the kubectl-mesh role from manifests/rbac.yaml';
const REACH_HINT = 'check --context/--kubeconfig, or that the cluster is running';

/** Credentials were rejected (401); shares the forbidden exit code. */
export class UnauthorizedError extends MeshError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.forbidden, hint);
  }
}

/** Thrown by the transport for a non-2xx answer; carries what the translation needs. */
export interface HttpFailure {
  method: string;
  url: string;
  status: number;
  body: unknown;
}

/** A Kubernetes Status object's message, else the body's first line. */
export function statusMessage(body: unknown): string {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return typeof body === 'string' ? (body.trim().split('\n')[0] ?? '') : '';
}

export function statusReason(body: unknown): string | undefined {
  const reason = body && typeof body === 'object' ? (body as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

export function translateStatus(f: HttpFailure): MeshError {
  const text = `${f.status} ${STATUS_CODES[f.status] ?? ''}`.trim();
  const where = `${f.method} ${new URL(f.url).pathname}`;
  const msg = statusMessage(f.body) || `the server answered ${text} to ${where}`;
  switch (f.status) {
    case 401:
      return new UnauthorizedError(
        `unauthorized: the API server rejected the credentials (${msg})`,
        'log in again or refresh the credentials of the kubeconfig user',
      );
    case 403:
      return new ForbiddenError(msg, RBAC_HINT);
    case 404:
      // A bare "404 page not found" means the API itself is not served (a CRD is missing).
      return statusReason(f.body) === 'NotFound'
        ? new NotFoundError(msg, 'it may have been deleted meanwhile; run the command again')
        : new NotFoundError(
            `the server could not find the requested resource (${where})`,
            'check that the API is installed on this cluster (kubectl api-resources)',
          );
    case 409:
      return statusReason(f.body) === 'AlreadyExists'
        ? new ConflictError(msg, 'it was created meanwhile; re-run the command to start from the current state')
        : new ConflictError(msg, 'the object changed since it was read; re-run the command');
    case 422:
      return new MeshError(msg, ExitCode.failed, 'the API server rejected the object as invalid; fix the field it names');
    default:
      return new MeshError(
        `${where}: ${text}: ${msg}`,
        ExitCode.failed,
        f.status >= 500 ? 'retry; if it persists check the API server (kubectl get --raw /readyz)' : undefined,
      );
  }
}

export function translateNetworkError(server: string, err: unknown): UnreachableError {
  const e = err as { code?: string; message?: string; requestTimeout?: boolean };
  let reason = e?.message?.split('\n')[0] || String(err);
  let hint = REACH_HINT;
  if (e?.code === 'ETIMEDOUT_MESH' || e?.code === 'ETIMEDOUT_MESH_PING') {
    hint = e.requestTimeout ? `${REACH_HINT}; or raise --request-timeout` : `${REACH_HINT} and not overloaded`;
  } else if (e?.code === 'EPROXY_MESH') {
    hint = "check the cluster's proxy-url in the kubeconfig (or HTTPS_PROXY / NO_PROXY)";
  } else if (e?.code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(e.code)) {
    hint = 'check certificate-authority (or tls-server-name) of the cluster in the kubeconfig';
  } else if (e?.code && !reason.includes(e.code)) {
    reason = `${e.code} ${reason}`;
  }
  return new UnreachableError(`cannot reach the Kubernetes API server at ${server}: ${reason}`, hint, err);
}
