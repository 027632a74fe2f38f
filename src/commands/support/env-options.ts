// `env` and `green`: their flags → typed options, checked before anything is read (Validate).
import type { FlagValues } from '../../cli/flags.js';
import { bool, list, parseDuration, str } from '../../cli/global-flags.js';
import { UsageError } from '../../errors.js';
import type { Scope } from '../../routing/environments.js';
import { parseHeader } from '../../routing/headers.js';
import { parseSelector } from '../../routing/selector.js';
import type { Gateway } from '../../routing/target.js';
import type { HeaderCondition } from '../../routing/types.js';
import { gatewayOf } from './args.js';

/** An environment across services (`env NAME` without SERVICE): what the flags say of it. */
export interface ManyFlags {
  /** --header; empty: the environment's existing header. */
  headers: HeaderCondition[];
  /** --version; undefined: the environment's name. */
  version: string | undefined;
  scope: Omit<Scope, 'where'>;
  /** --ttl in ms. */
  ttlMs: number | undefined;
  stable: string | undefined;
}

/** An environment on one service (`env NAME SERVICE`, `green SERVICE`). */
export interface OneFlags {
  deleting: boolean;
  /** --header; empty: asked at a terminal, else the verb's default. */
  headers: HeaderCondition[];
  type: HeaderCondition['type'] | undefined;
  subset: string | undefined;
  stable: string | undefined;
  ttlMs: number | undefined;
  gateway: Gateway | undefined;
}

const DAY = 86_400_000;

/** --ttl: kubectl-style durations plus days (8h, 24h, 7d). */
export function parseTtl(text: string): number {
  const days = /^(\d+(?:\.\d+)?)d$/.exec(text.trim());
  let ms: number;
  try {
    ms = days ? Math.round(Number(days[1]) * DAY) : parseDuration(text, 'ttl');
  } catch {
    throw new UsageError(`--ttl "${text}" is not a duration`, 'use a number with a unit, e.g. 30m, 8h, 24h, 7d');
  }
  if (ms <= 0) throw new UsageError(`--ttl "${text}" must be longer than 0`, 'e.g. --ttl 24h');
  return ms;
}

const ttlOf = (flags: FlagValues): number | undefined => {
  const ttl = str(flags, 'ttl');
  return ttl === undefined ? undefined : parseTtl(ttl);
};

const matchOf = (flags: FlagValues): HeaderCondition['type'] | undefined => str(flags, 'match') as HeaderCondition['type'] | undefined;

export function manyFlags(flags: FlagValues): ManyFlags {
  if (str(flags, 'subset'))
    throw new UsageError(
      "--subset names one service's subset",
      'without SERVICE, pass --version VALUE (the version label value every service uses)',
    );
  if (str(flags, 'gateway') || str(flags, 'host'))
    throw new UsageError("--gateway binds one service's VirtualService", 'pass SERVICE with --gateway');
  const ttlMs = ttlOf(flags);
  const services = list(flags, 'services')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const selector = str(flags, 'selector');
  return {
    headers: list(flags, 'header').map((h) => parseHeader(h, matchOf(flags) ?? 'exact')),
    version: str(flags, 'version'),
    scope: { ...(services.length ? { services } : {}), ...(selector !== undefined ? { selector: parseSelector(selector) } : {}) },
    ttlMs,
    stable: str(flags, 'stable'),
  };
}

export function oneFlags(flags: FlagValues): OneFlags {
  const type = matchOf(flags);
  return {
    deleting: bool(flags, 'delete'),
    headers: list(flags, 'header').map((h) => parseHeader(h, type ?? 'exact')),
    type,
    subset: str(flags, 'subset'),
    stable: str(flags, 'stable'),
    ttlMs: ttlOf(flags),
    gateway: gatewayOf(flags),
  };
}
