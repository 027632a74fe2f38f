// Service host names we write: FQDNs. Resolving a host as written is src/model/hosts.ts's job
// (analysis uses the same resolver).
import { serviceFqdn } from '../model/hosts.js';
import type { Service } from './types.js';

export const serviceFqdnOf = (svc: Service): string => serviceFqdn(svc.metadata.name, svc.metadata.namespace ?? 'default');
