// Values of common flags checked once, before any verb runs: a bad one is a usage error naming the
// flag (exit 2), never a confusing failure later ("may have been deleted", a request to a mangled URL).
import { UsageError } from '../errors.js';
import type { FlagValues } from './flags.js';
import { parseRequestTimeout } from './global-flags.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// A Kubernetes label key: an optional DNS-subdomain prefix and "/", then a name of up to 63 characters.
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash === -1) return LABEL_NAME.test(key);
  return DNS_SUBDOMAIN.test(key.slice(0, slash)) && LABEL_NAME.test(key.slice(slash + 1));
}

export function validateCommonFlags(flags: FlagValues): void {
  const ns = flags.namespace;
  if (typeof ns === 'string' && (!DNS_LABEL.test(ns) || ns.length > 63)) {
    throw new UsageError(
      `--namespace ${JSON.stringify(ns)} is not a valid namespace name`,
      'use lowercase letters, digits and -, e.g. -n shop',
    );
  }
  const v = flags.v;
  if (typeof v === 'string' && !/^\d{1,2}$/.test(v))
    throw new UsageError(`invalid value ${JSON.stringify(v)} for -v: expected a number`, 'e.g. -v=6 logs every API request');
  // Parsed again on connecting; checked here too so offline runs (-f) refuse it like kubectl does.
  const timeout = flags['request-timeout'];
  if (typeof timeout === 'string') parseRequestTimeout(timeout);
  const label = flags['version-label'];
  if (typeof label === 'string' && !isLabelKey(label)) {
    throw new UsageError(
      `--version-label ${JSON.stringify(label)} is not a valid label key`,
      'pass the pod label that tells versions apart, e.g. --version-label version',
    );
  }
}
