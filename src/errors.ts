// Errors are values with a one-line message, an optional hint and an exit code.
// Only main() prints them; HTTP statuses are translated in src/kube only.

export const ExitCode = {
  ok: 0,
  /** A check found errors (analyze), or a generic failure. */
  failed: 1,
  usage: 2,
  notFound: 3,
  precondition: 4,
  conflict: 5,
  forbidden: 6,
  unreachable: 7,
  external: 8,
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class MeshError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.failed,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags or arguments. */
export class UsageError extends MeshError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}
export class NotFoundError extends MeshError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.notFound, hint);
  }
}
/** The cluster is not in a state where the change is safe (no Ready pods, analysis errors, …). */
export class PreconditionError extends MeshError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.precondition, hint);
  }
}
export class ConflictError extends MeshError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.conflict, hint);
  }
}
export class ForbiddenError extends MeshError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.forbidden, hint);
  }
}
export class UnreachableError extends MeshError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, ExitCode.unreachable, hint, { cause });
  }
}
/** istioctl or another external tool failed. */
export class ExternalToolError extends MeshError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.external, hint);
  }
}
export class CancelledError extends MeshError {
  constructor(message = 'cancelled') {
    super(message, ExitCode.cancelled);
  }
}
