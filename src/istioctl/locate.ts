// Find the istioctl executable: --istioctl PATH, then $ISTIOCTL, then PATH. Never throws.

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

export interface LocateOptions {
  /** From `--istioctl PATH`. A bare name (no slash) is looked up on PATH. */
  explicit?: string;
  /** Environment to read ISTIOCTL, PATH (and PATHEXT on Windows) from; defaults to process.env. */
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

export type IstioctlSource = 'flag' | 'env' | 'path';

export interface IstioctlLocation {
  path: string;
  source: IstioctlSource;
}

async function isExecutableFile(p: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(p)).isFile()) return false;
    if (platform !== 'win32') await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string, env: Record<string, string | undefined>, platform: NodeJS.Platform): Promise<string | undefined> {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter((d) => d !== '');
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.resolve(dir, name + ext);
      if (await isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

async function resolveGiven(
  given: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
): Promise<string | undefined> {
  if (!given.includes('/') && !given.includes(path.sep)) return onPath(given, env, platform);
  const abs = path.resolve(given);
  return (await isExecutableFile(abs, platform)) ? abs : undefined;
}

/**
 * Where istioctl is, and why we picked it. A path that was asked for explicitly (flag or $ISTIOCTL)
 * but is not an executable gives `undefined` rather than silently using another istioctl.
 */
export async function locateIstioctlWithSource(opts: LocateOptions = {}): Promise<IstioctlLocation | undefined> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  if (opts.explicit) {
    const p = await resolveGiven(opts.explicit, env, platform);
    return p ? { path: p, source: 'flag' } : undefined;
  }
  if (env.ISTIOCTL) {
    const p = await resolveGiven(env.ISTIOCTL, env, platform);
    return p ? { path: p, source: 'env' } : undefined;
  }
  const p = await onPath('istioctl', env, platform);
  return p ? { path: p, source: 'path' } : undefined;
}

export async function locateIstioctl(opts: LocateOptions = {}): Promise<string | undefined> {
  return (await locateIstioctlWithSource(opts))?.path;
}

/** One line telling the user istioctl was not used and how to fix it. */
export function missingIstioctlNotice(opts: LocateOptions = {}): string {
  const env = opts.env ?? process.env;
  const tail = 'only built-in checks ran';
  if (opts.explicit) return `istioctl not found or not executable at ${opts.explicit} (--istioctl); ${tail}`;
  if (env.ISTIOCTL) return `istioctl not found or not executable at ${env.ISTIOCTL} ($ISTIOCTL); ${tail}`;
  return `istioctl not found on PATH; ${tail} (pass --istioctl PATH or set ISTIOCTL)`;
}
