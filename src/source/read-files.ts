// Reading -f paths safely: only regular files (a FIFO or /dev/zero would block or never end), a size
// cap, and every file-system failure turned into one line that names the file.
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync, constants, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { MeshError, UsageError } from '../errors.js';

/** Larger manifests are refused: a routing repo's files are kilobytes; this stops /dev/zero-like input. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
const YAML_FILE = /\.(ya?ml|json)$/;

/** A file-system error as one line naming the path; a known failure, never "a bug". */
export function fileError(path: string, err: unknown, doing: string): MeshError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ELOOP: 'too many levels of symbolic links (a symlink loop)',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EROFS: 'read-only file system',
    EIO: 'input/output error',
    ENAMETOOLONG: 'file name too long',
    EMFILE: 'too many open files',
  };
  const reason = (code && why[code]) ?? (err instanceof Error ? err.message : String(err));
  return new MeshError(`${doing} ${path}: ${reason}`, 1, undefined, { cause: err });
}

function statPath(p: string): Stats {
  try {
    return statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // stat follows links: a link that exists but points nowhere is a dangling link, not a missing file.
    let dangling = false;
    try {
      dangling = code === 'ENOENT' && lstatSync(p).isSymbolicLink();
    } catch {
      /* really missing */
    }
    if (dangling) throw new UsageError(`-f ${p}: dangling symbolic link (its target does not exist)`, 'fix or remove the link');
    if (code === 'ENOENT') throw new UsageError(`-f ${p}: no such file or directory`, 'pass a YAML file or a directory of them');
    const e = fileError(p, err, '-f');
    throw new UsageError(e.message, 'pass a YAML file or a directory of them');
  }
}

const kindOf = (st: Stats): string =>
  st.isFIFO()
    ? 'a named pipe (FIFO)'
    : st.isCharacterDevice()
      ? 'a character device'
      : st.isBlockDevice()
        ? 'a block device'
        : st.isSocket()
          ? 'a socket'
          : st.isDirectory()
            ? 'a directory'
            : 'not a regular file';

function requireRegular(p: string, st: Stats): void {
  if (!st.isFile()) throw new UsageError(`-f ${p}: ${kindOf(st)}, not a regular file`, 'pass a YAML file or a directory of them');
  if (st.size > MAX_FILE_BYTES) {
    throw new UsageError(
      `-f ${p}: ${st.size} bytes is larger than the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit for a manifest`,
      'split the file, or pass only the files that hold the service',
    );
  }
}

/** Files named by -f: a file, or the YAML/JSON files of a directory (not recursive), each once, as named. */
export function expandPaths(paths: string[]): string[] {
  // A file named twice (-f a.yaml -f .) is read once, or its objects would conflict with themselves.
  const out = new Map<string, string>();
  const add = (file: string) => {
    if (!out.has(resolve(file))) out.set(resolve(file), file);
  };
  for (const p of paths) {
    if (p === '') throw new UsageError('-f needs a file or directory name', 'pass e.g. -f manifests/');
    const st = statPath(p);
    if (!st.isDirectory()) {
      requireRegular(p, st);
      add(p);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(p)
        .filter((f) => YAML_FILE.test(f))
        .sort();
    } catch (err) {
      throw new UsageError(fileError(p, err, '-f').message, 'pass a readable directory');
    }
    for (const name of names) {
      const file = join(p, name);
      requireRegular(file, statPath(file));
      add(file);
    }
  }
  return [...out.values()];
}

/**
 * A file's bytes. Opened non-blocking, so a FIFO swapped in after the check cannot hang us, and read
 * no further than the cap, so a file growing meanwhile cannot exhaust memory.
 */
export function readBytes(file: string): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    requireRegular(file, st);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_FILE_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      // eslint-disable-next-line @typescript-eslint/no-misused-spread, @typescript-eslint/no-unsafe-class-instance-assignment -- requireRegular reads two fields of this copy
      if (total > MAX_FILE_BYTES) requireRegular(file, { ...st, isFile: () => true, size: total });
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof MeshError) throw err;
    throw new UsageError(fileError(file, err, 'cannot read').message, 'check the file and its permissions');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
