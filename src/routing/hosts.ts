// Service host names: we write FQDNs; short names resolve against the referring object's namespace.
// The rules themselves live once, in src/model/hosts.ts (analysis uses the same resolver).
import { serviceFqdn } from '../model/hosts.js';
import type { Obj } from './types.js';

export { hostRefersTo, serviceFqdn as fqdn } from '../model/hosts.js';

export const serviceFqdnOf = (svc: Obj): string => serviceFqdn(svc.metadata.name, svc.metadata.namespace ?? 'default');
