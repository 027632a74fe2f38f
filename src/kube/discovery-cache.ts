// kubectl's disk cache of API discovery, shared with it: <cache>/discovery/<host>/servergroups.json
// (an APIGroupList: the core group from /api first, then /apis), fresh for 6 hours after it was
// written (cli-runtime's TTL), written atomically with the modes client-go uses. <cache> is
// --cache-dir, else $KUBECACHEDIR, else ~/.kube/cache, as in kubectl.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DISCOVERY_TTL_MS = 6 * 60 * 60 * 1000;

export interface ApiGroup {
  name: string;
  versions: { groupVersion: string; version: string }[];
  preferredVersion?: { groupVersion: string; version: string };
}
export interface ApiGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: ApiGroup[];
}

export function cacheRoot(flag: string | undefined, env: NodeJS.ProcessEnv, home = env.HOME || homedir()): string {
  const dflt = env.KUBECACHEDIR || join(home, '.kube', 'cache');
  return flag || dflt;
}

/** cli-runtime's computeDiscoverCacheDir: scheme stripped once, every char outside [\w/.()] → '_'. */
export function discoveryDir(root: string, server: string): string {
  const host = server.replace('https://', '').replace('http://', '');
  return join(root, 'discovery', host.replace(/[^(\w/.)]/g, '_'));
}

export class DiscoveryCache {
  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  private get file(): string {
    return join(this.dir, 'servergroups.json');
  }

  /** The cached group list, or undefined when missing, stale or unreadable. */
  read(): ApiGroupList | undefined {
    try {
      if (statSync(this.file).mtimeMs + DISCOVERY_TTL_MS < this.now()) return undefined;
      const doc = JSON.parse(readFileSync(this.file, 'utf8')) as ApiGroupList;
      return Array.isArray(doc?.groups) ? doc : undefined;
    } catch {
      return undefined;
    }
  }

  /** Best effort: a cache that cannot be written costs a request next time, nothing else. */
  write(list: ApiGroupList): void {
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o750 });
      writeFileSync(tmp, JSON.stringify(list), { mode: 0o660 });
      chmodSync(tmp, 0o660);
      renameSync(tmp, this.file);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
}

/** client-go's ServerGroups: the legacy group from /api's versions, prepended to /apis's groups. */
export function mergeGroups(api: { versions?: string[] } | undefined, apis: { groups?: ApiGroup[] } | undefined): ApiGroupList {
  const groups = [...(apis?.groups ?? [])];
  const versions = api?.versions ?? [];
  if (versions.length) {
    const gvs = versions.map((v) => ({ groupVersion: v, version: v }));
    groups.unshift({ name: '', versions: gvs, preferredVersion: gvs[0] });
  }
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}
