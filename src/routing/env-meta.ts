// Who created an environment and when it expires, kept in one annotation on each VirtualService the
// environment routes (like the history): it travels with the object and needs no CRD or controller.
import { sameValue } from '../model/equal.js';
import { ENVIRONMENTS_ANNOTATION } from '../model/names.js';
import type { Plan, Write } from './plan.js';
import type { Obj } from './types.js';

export interface EnvMeta {
  createdBy: string;
  /** ISO time of the first write of the environment. */
  createdAt: string;
  /** ISO time after which `env prune` removes it (--ttl). */
  expires?: string;
}

export type EnvMetaMap = Record<string, EnvMeta>;

const validTime = (s: unknown): s is string => typeof s === 'string' && !Number.isNaN(Date.parse(s));

function validEntry(v: unknown): EnvMeta | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const { createdBy, createdAt, expires } = v as Record<string, unknown>;
  if (typeof createdBy !== 'string' || !validTime(createdAt) || (expires !== undefined && !validTime(expires))) return undefined;
  return { createdBy, createdAt, ...(expires !== undefined ? { expires } : {}) };
}

/**
 * The environments' metadata on a VirtualService. A hand-edited, broken annotation never blocks
 * anything: bad entries are skipped and `problem` says so once for the object.
 */
export function readEnvMeta(vs: Obj | undefined): { meta: EnvMetaMap; problem?: string } {
  const raw = vs?.metadata.annotations?.[ENVIRONMENTS_ANNOTATION];
  if (raw === undefined) return { meta: {} };
  const where = `annotation ${ENVIRONMENTS_ANNOTATION} on VirtualService ${vs!.metadata.namespace}/${vs!.metadata.name}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { meta: {}, problem: `${where} is not valid JSON; ignored` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    return { meta: {}, problem: `${where} is not a JSON object; ignored` };
  const meta: EnvMetaMap = {};
  const bad: string[] = [];
  for (const [env, v] of Object.entries(parsed)) {
    const entry = validEntry(v);
    if (entry) meta[env] = entry;
    else bad.push(env);
  }
  return { meta, ...(bad.length ? { problem: `${where} has unreadable entries (${bad.join(', ')}); ignored` } : {}) };
}

/** The VirtualService with `env`'s metadata set (or removed when `meta` is undefined). */
export function withEnvMeta(vs: Obj, env: string, meta: EnvMeta | undefined): Obj {
  const current = readEnvMeta(vs).meta;
  const { [env]: _old, ...rest } = current;
  // An existing entry keeps its place, so an unchanged environment leaves the annotation byte-for-byte.
  const next: EnvMetaMap = meta ? { ...current, [env]: meta } : rest;
  const { [ENVIRONMENTS_ANNOTATION]: _a, ...annotations } = vs.metadata.annotations ?? {};
  const all = Object.keys(next).length ? { ...annotations, [ENVIRONMENTS_ANNOTATION]: JSON.stringify(next) } : annotations;
  const { annotations: _b, ...metadata } = vs.metadata;
  return { ...vs, metadata: Object.keys(all).length ? { ...metadata, annotations: all } : metadata };
}

/**
 * The plan with each of `changes` applied to the VirtualService it writes. When the routes do not
 * change but the metadata does (a renewed --ttl), a metadata-only replace of the VirtualService.
 */
export function planWithEnvMeta(plan: Plan, current: Obj | undefined, changes: [string, EnvMeta | undefined][]): Plan {
  const apply = (vs: Obj) => changes.reduce((o, [env, meta]) => withEnvMeta(o, env, meta), vs);
  const vsWrite = plan.writes.find((w) => w.kind === 'VirtualService' && w.after);
  if (vsWrite) {
    const after = apply(vsWrite.after!);
    return { ...plan, writes: plan.writes.map((w) => (w === vsWrite ? { ...w, after } : w)), virtualService: after };
  }
  if (!current || plan.writes.some((w) => w.kind === 'VirtualService')) return plan;
  const after = apply(current);
  if (sameValue(after, current)) return plan;
  const write: Write = { action: 'replace', kind: 'VirtualService', before: current, after };
  return { ...plan, writes: [...plan.writes, write], virtualService: after };
}
