// --in-place writes: all or nothing as far as a file system allows. Every new file is written in
// full to a temporary file next to its target and fsynced (keeping mode and owner) before the first
// rename, so a full disk, a kill or any failure up to then changes nothing; a rename replaces a file
// whole, so a reader sees the old or the new file, never a part. If a later rename fails, the error
// says exactly which files were written.
import * as fs from 'node:fs';
import { basename, dirname } from 'node:path';
import { MeshError, ConflictError, PreconditionError } from '../errors.js';
import { fileError } from './read-files.js';

export interface FileChange {
  /** The path the user named (a symlink is written through to its target). */
  file: string;
  /** The bytes we read and planned from: if the file no longer has them, someone else changed it. */
  before: Buffer;
  after: Buffer;
}

/** The fs calls used, replaceable in unit tests to fail at a chosen step. */
export type FsOps = Pick<
  typeof fs,
  | 'openSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'fchmodSync'
  | 'fchownSync'
  | 'renameSync'
  | 'unlinkSync'
  | 'statSync'
  | 'realpathSync'
  | 'readFileSync'
>;

/** Temporary files start with "." and end in ".tmp": a directory given to -f never reads them. */
export const tempNameFor = (target: string): string =>
  `${dirname(target)}/.${basename(target)}.mesh-${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;

interface Staged {
  change: FileChange;
  target: string;
  temp: string;
}

/** Writes every change or none; returns the files written (the names the user gave). */
export function writeFilesAtomically(changes: FileChange[], ops: FsOps = fs): string[] {
  const staged: Staged[] = [];
  const cleanup = () => {
    for (const s of staged)
      try {
        ops.unlinkSync(s.temp);
      } catch {
        /* already gone */
      }
  };
  try {
    for (const change of changes) stage(change, ops, (s) => staged.push(s));
  } catch (err) {
    cleanup();
    throw nothingChanged(err);
  }
  // Someone (an editor, a second run) changed a file since we read it: their edit wins, we write nothing.
  const changed = staged.find((s) => !ops.readFileSync(s.target).equals(s.change.before));
  if (changed) {
    cleanup();
    throw new ConflictError(
      `${changed.change.file} changed while kubectl-mesh was working on it; nothing was changed`,
      'run the command again',
    );
  }
  const written: string[] = [];
  for (const [i, s] of staged.entries()) {
    try {
      ops.renameSync(s.temp, s.target);
      written.push(s.change.file);
    } catch (err) {
      for (const rest of staged.slice(i))
        try {
          ops.unlinkSync(rest.temp);
        } catch {
          /* gone */
        }
      if (!written.length) throw nothingChanged(fileError(s.change.file, err, 'cannot replace'));
      const left = staged.slice(i).map((r) => r.change.file);
      throw new MeshError(
        `wrote ${written.join(', ')}; then replacing ${s.change.file} failed (${fileError(s.change.file, err, 'cannot replace').message.replace(/^.*: /, '')}), so ${left.join(', ')} ${left.length > 1 ? 'are' : 'is'} unchanged`,
        1,
        'the files are out of step with each other: fix the cause and run the same command again (it finishes the change)',
        { cause: err },
      );
    }
  }
  for (const dir of new Set(staged.map((s) => dirname(s.target)))) syncDir(dir, ops);
  return written;
}

/** Writes the new content next to the target; `track` records the temp file as soon as it exists. */
function stage(change: FileChange, ops: FsOps, track: (s: Staged) => void): void {
  const target = ops.realpathSync(change.file);
  const st = ops.statSync(target);
  if ((st.mode & 0o222) === 0) {
    throw new PreconditionError(
      `${change.file} is read-only (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`,
      'make it writable (chmod u+w), or leave out --in-place to print the result',
    );
  }
  const temp = tempNameFor(target);
  let fd: number | undefined;
  try {
    fd = ops.openSync(temp, 'wx', 0o600);
    const staged = { change, target, temp };
    // From here the temp file exists: cleanup must see it even if the write fails.
    track(staged);
    let off = 0;
    while (off < change.after.length) off += ops.writeSync(fd, change.after, off, change.after.length - off);
    ops.fchmodSync(fd, st.mode & 0o7777);
    try {
      ops.fchownSync(fd, st.uid, st.gid);
    } catch {
      /* not permitted (not root): the file becomes ours */
    }
    ops.fsyncSync(fd);
  } catch (err) {
    throw err instanceof MeshError ? err : fileError(change.file, err, 'cannot write');
  } finally {
    if (fd !== undefined)
      try {
        ops.closeSync(fd);
      } catch {
        /* best effort */
      }
  }
}

function nothingChanged(err: unknown): MeshError {
  if (err instanceof MeshError) return new MeshError(`${err.message}; nothing was changed`, err.exitCode, err.hint, { cause: err.cause });
  return new MeshError(`${(err as Error)?.message ?? String(err)}; nothing was changed`, 1, undefined, { cause: err });
}

/** The renames themselves are durable only once the directory is synced. Best effort. */
function syncDir(dir: string, ops: FsOps): void {
  let fd: number | undefined;
  try {
    fd = ops.openSync(dir, 'r');
    ops.fsyncSync(fd);
  } catch {
    /* some file systems refuse fsync on a directory */
  } finally {
    if (fd !== undefined)
      try {
        ops.closeSync(fd);
      } catch {
        /* ignore */
      }
  }
}
