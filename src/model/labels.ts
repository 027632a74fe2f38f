// Label selectors (equality-based, as Services and DestinationRule subsets use them): one implementation.

export type Labels = Readonly<Record<string, string>>;

/**
 * Every key of `selector` has the same value in `labels`. An empty selector matches everything.
 * The selector may come from unchecked input: a value that is not a string matches nothing.
 */
export const matchesLabels = (selector: Readonly<Record<string, unknown>>, labels: Labels | undefined): boolean =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/**
 * A Service's selector picks the pods: one with no selector (or an empty one) picks none, since its
 * endpoints are managed by hand.
 */
export const serviceSelects = (selector: Labels | undefined, labels: Labels | undefined): boolean =>
  !!selector && Object.keys(selector).length > 0 && matchesLabels(selector, labels);
