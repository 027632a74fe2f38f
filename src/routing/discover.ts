// Finds the versions behind a Service and the VirtualService / DestinationRule that route it.
import { ConflictError, PreconditionError } from '../errors.js';
import { serviceFqdn, serviceNamedBy } from '../model/hosts.js';
import { serviceSelects } from '../model/labels.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, isOwnedRoute, subsetNameFor } from '../model/names.js';
import type { DestinationRule, Deployment, Service, Version, VirtualService } from './types.js';
import { compareNatural, compareText } from '../model/order.js';

const byAge = (a: { created?: string; value: string }, b: { created?: string; value: string }): number =>
  compareText(a.created ?? '', b.created ?? '') || compareNatural(a.value, b.value);

/**
 * Versions of a service, oldest first: one per distinct value of `versionLabel` among the
 * Deployments whose pod template the Service selects. A DestinationRule subset that already
 * selects exactly that version lends it its name.
 */
export function findVersions(svc: Service, deployments: Deployment[], versionLabel: string, dr?: DestinationRule): Version[] {
  const selector = svc.spec?.selector;
  const seen = new Map<string, Version>();
  for (const d of deployments) {
    const labels = d.spec?.template?.metadata?.labels;
    const value = labels?.[versionLabel];
    if (!value || !serviceSelects(selector, labels) || seen.has(value)) continue;
    // A subset that selects exactly this version: its version label, plus only labels the Service's selector implies.
    const existing = dr?.spec?.subsets?.find(
      (s) => s.labels?.[versionLabel] === value && Object.entries(s.labels).every(([k, v]) => k === versionLabel || selector?.[k] === v),
    );
    const taken = new Set([...seen.values()].map((v) => v.subset));
    let subset = existing?.name ?? subsetNameFor(value);
    for (let n = 2; !existing && taken.has(subset); n++) subset = `${subsetNameFor(value).slice(0, 60)}-${n}`;
    seen.set(value, {
      value,
      subset,
      labels: { [versionLabel]: value },
      deployment: d.metadata.name,
      created: d.metadata.creationTimestamp,
    });
  }
  return [...seen.values()].sort(byAge);
}

const boundToMesh = (vs: VirtualService): boolean => {
  const gateways = vs.spec?.gateways;
  return !gateways?.length || gateways.includes('mesh');
};

/**
 * The Service FQDNs an object's hosts name, worked out once per object: matching n Services against
 * m objects is then n×m set look-ups, not n×m host resolutions (200 services: ~60 ms of status).
 */
const named = new WeakMap<VirtualService | DestinationRule, ReadonlySet<string>>();
function servicesNamed(o: VirtualService | DestinationRule, hosts: () => unknown[]): ReadonlySet<string> {
  let fqdns = named.get(o);
  if (!fqdns) {
    const from = o.metadata.namespace ?? 'default';
    fqdns = new Set(hosts().flatMap((h) => (typeof h === 'string' ? (serviceNamedBy(h, from) ?? []) : [])));
    named.set(o, fqdns);
  }
  return fqdns;
}

const fqdnOf = (svc: Service): string => serviceFqdn(svc.metadata.name, svc.metadata.namespace ?? 'default');

const vsNamesService = (vs: VirtualService, svc: Service): boolean => servicesNamed(vs, () => vs.spec?.hosts ?? []).has(fqdnOf(svc));

const isOurs = (o: VirtualService | DestinationRule): boolean =>
  o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE ||
  (('http' in (o.spec ?? {}) ? (o as VirtualService).spec?.http : undefined) ?? []).some(isOwnedRoute);

/** The VirtualService that routes this service, if any. Several mesh-bound ones conflict (IST0109). */
export function findVirtualService(svc: Service, virtualServices: VirtualService[]): VirtualService | undefined {
  const candidates = virtualServices.filter((vs) => vsNamesService(vs, svc));
  if (candidates.length <= 1) return candidates[0];
  const ours = candidates.filter(isOurs);
  if (ours.length === 1) return ours[0];
  const meshBound = candidates.filter(boundToMesh);
  if (meshBound.length === 1) return meshBound[0];
  const names = candidates.map((c) => c.metadata.name).join(', ');
  throw new ConflictError(
    `several VirtualServices route ${svc.metadata.name} (${names}); Istio merges them unpredictably (IST0109)`,
    'merge them into one VirtualService, then run the command again',
  );
}

export function findDestinationRule(svc: Service, destinationRules: DestinationRule[]): DestinationRule | undefined {
  const fqdn = fqdnOf(svc);
  const candidates = destinationRules.filter((dr) => servicesNamed(dr, () => [dr.spec?.host]).has(fqdn));
  return candidates.find(isOurs) ?? candidates[0];
}

/** Fails unless the service has at least two versions to route between. */
export function requireVersions(svc: Service, versions: Version[], versionLabel: string): void {
  const name = `${svc.metadata.namespace}/${svc.metadata.name}`;
  if (versions.length === 0) {
    throw new PreconditionError(
      `no Deployment behind service ${name} has a "${versionLabel}" label on its pod template`,
      `label each version's pod template (e.g. ${versionLabel}: v1), or pass --version-label`,
    );
  }
  if (versions.length === 1) {
    throw new PreconditionError(
      `service ${name} has only one version (${versionLabel}=${versions[0].value})`,
      'deploy the new version as a second Deployment with its own version label first',
    );
  }
}
