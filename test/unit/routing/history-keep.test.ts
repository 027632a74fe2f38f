// Which revisions a write keeps: the baseline and the newest up to HISTORY_LIMIT, and, while a
// rollout is in progress, its baseline and everything after it.
import t from 'tap';
import { HISTORY_LIMIT } from '../../../src/model/names.js';
import { appendRevisions, type Revision } from '../../../src/routing/history.js';
import { who } from '../builders.js';

const entry = (change: string): Omit<Revision, 'revision'> => ({ ...who, change, routes: [], subsets: [], roles: {} });
const grow = (n: number, first: Omit<Revision, 'revision'>, keepFrom?: number): Revision[] => {
  let h = appendRevisions([], [first]);
  for (let i = 2; i <= n; i++) h = appendRevisions(h, [entry(`change ${i}`)], keepFrom);
  return h;
};
const numbers = (h: Revision[]) => h.map((r) => r.revision);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

t.test(`without a rollout: the newest ${HISTORY_LIMIT}, or the "before kubectl-mesh" baseline and the newest after it`, async (t) => {
  t.strictSame(numbers(grow(15, entry('change 1'))), range(6, 15));
  t.strictSame(numbers(grow(15, { ...entry('before kubectl-mesh'), absent: {} })), [1, ...range(7, 15)]);
});

t.test("an in-progress rollout's baseline and every revision after it stay, whatever their number", async (t) => {
  t.strictSame(numbers(grow(15, entry('change 1'), 3)), range(3, 15));
  t.strictSame(numbers(grow(15, { ...entry('before kubectl-mesh'), absent: {} }, 3)), [1, ...range(3, 15)]);
  t.strictSame(numbers(grow(15, entry('change 1'), 12)), range(6, 15), 'a recent baseline changes nothing');
  // The rollout over, the next write trims again.
  t.strictSame(numbers(appendRevisions(grow(15, entry('change 1'), 3), [entry('change 16')])), range(7, 16));
});
