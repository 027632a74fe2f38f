// Locale-free orders: the same on every machine, and the same as the old localeCompare calls for the
// names and values Kubernetes allows.
import t from 'tap';
import { compareNatural, compareText } from '../../../src/model/order.js';

t.test('compareText: code units, so RFC 3339 timestamps sort by time', async (t) => {
  const stamps = ['2026-11-27T10:00:00Z', '2025-01-01T00:00:00Z', '2026-11-27T09:59:59Z'];
  t.same([...stamps].sort(compareText), ['2025-01-01T00:00:00Z', '2026-11-27T09:59:59Z', '2026-11-27T10:00:00Z']);
  t.equal(compareText('a', 'a'), 0);
  // Kubernetes names (lowercase letters, digits, '-', '.'): as localeCompare ordered them.
  const names = ['reviews-v2', 'reviews', 'ratings.v1', 'ratings-v1', 'details', 'reviews-10', 'a-b', 'ab'];
  t.same(
    [...names].sort(compareText),
    [...names].sort((a, b) => a.localeCompare(b)),
  );
});

t.test('compareNatural: numbers by value, letters without case, a total order', async (t) => {
  t.same(['v10', 'v2', 'v1', 'V3', 'v2-rc1', 'v02'].sort(compareNatural), ['v1', 'v02', 'v2', 'v2-rc1', 'V3', 'v10']);
  t.ok(compareNatural('v9007199254740993', 'v9007199254740992') > 0, 'digit runs past 2^53 keep their order');
  t.ok(
    compareNatural('V1', 'v1') !== 0 && Math.sign(compareNatural('V1', 'v1')) === -Math.sign(compareNatural('v1', 'V1')),
    'ties broken both ways',
  );
  t.equal(compareNatural('green', 'green'), 0);
  t.ok(compareNatural('', 'a') < 0);
  // As localeCompare(…, { numeric: true }) on the values version labels carry.
  const values = ['v1', 'v10', 'v2', 'canary', 'stable', 'blue', 'green', '1.2.10', '1.2.9'];
  t.same(
    [...values].sort(compareNatural),
    [...values].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
  );
});
