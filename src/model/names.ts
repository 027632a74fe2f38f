// The one place that knows the names kubectl-mesh writes into the cluster.

/** Every http route we own carries a name with this prefix; everything else belongs to the user. */
export const ROUTE_PREFIX = 'mesh-';
/** The owned weighted catch-all route (always the last of our routes). */
export const PRIMARY_ROUTE = 'mesh-primary';
/** Header routes of named environments: `mesh-env-<name>`. */
export const ENV_ROUTE_PREFIX = 'mesh-env-';

/** JSON list of routing revisions kept on the VirtualService. */
export const HISTORY_ANNOTATION = 'kubectl-mesh.io/history';
/**
 * JSON {env: {createdBy, createdAt, expires?}} on a VirtualService: who made each environment and when
 * it expires (--ttl). The header lives in the route itself; no CRD, no controller.
 */
export const ENVIRONMENTS_ANNOTATION = 'kubectl-mesh.io/environments';
/** JSON {min, max} on an HPA: its replicas before we first scaled it. */
export const HPA_BASELINE_ANNOTATION = 'kubectl-mesh.io/hpa-baseline';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kubectl-mesh';
export const FIELD_MANAGER = 'kubectl-mesh';
export const DEFAULT_VERSION_LABEL = 'version';
/** Revisions kept in the history annotation. */
export const HISTORY_LIMIT = 10;

export const ISTIO_GROUP = 'networking.istio.io';
/** Preferred first. */
export const ISTIO_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;

/**
 * The DestinationRule subset name we give a version label value: Istio requires a DNS-1123 label
 * ("subset name is invalid: 1.2.3"), so 1.2.3 becomes 1-2-3 and V2 becomes v2.
 */
export const subsetNameFor = (value: string): string =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '') || 'version';

export const envRouteName = (env: string): string => `${ENV_ROUTE_PREFIX}${env}`;
export const isOwnedRoute = (route: { name?: string }): boolean => typeof route.name === 'string' && route.name.startsWith(ROUTE_PREFIX);
