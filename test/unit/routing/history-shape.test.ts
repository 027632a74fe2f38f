// A hand-edited history annotation of the wrong shape: skipped with one warning naming the object,
// never a crash, and the next write drops the bad entries.
import t from 'tap';
import { HISTORY_ANNOTATION } from '../../../src/model/names.js';
import { historyWarning, parseHistory, readHistory } from '../../../src/routing/history.js';
import { serviceStatus } from '../../../src/routing/status.js';
import { resolveTarget } from '../../../src/routing/target.js';
import { planCanary } from '../../../src/routing/canary.js';
import { virtualService, who, workload } from '../builders.js';

const good = { revision: 1, at: who.at, user: 'alice', change: 'canary 10%', routes: [], subsets: [], roles: {} };
const withAnnotation = (value: string) => {
  const vs = virtualService('reviews', []);
  vs.metadata.annotations = { [HISTORY_ANNOTATION]: value };
  return vs;
};

t.test('entries of the wrong shape are skipped and counted', async (t) => {
  const cases: [unknown[], number][] = [
    [[{ revision: 1 }, { revision: 2 }], 0],
    [[good, { ...good, revision: 2, routes: 'x' }], 1],
    [[good, { ...good, revision: 2, roles: null }], 1],
    [[good, { ...good, revision: 2, subsets: [{}] }], 1],
    [[good, { ...good, revision: 1 }], 1],
    [[good, 42, null, 'x'], 1],
    [[good, { ...good, revision: 2, routes: [{ route: [{ destination: 'reviews' }] }] }], 1],
  ];
  for (const [entries, kept] of cases) {
    const { revisions, problem } = parseHistory(withAnnotation(JSON.stringify(entries)));
    t.equal(revisions.length, kept, JSON.stringify(entries));
    t.equal(
      problem,
      `${entries.length - kept} of ${entries.length} entries of annotation ${HISTORY_ANNOTATION} have the wrong shape and are skipped`,
    );
  }
  t.strictSame(parseHistory(withAnnotation(JSON.stringify([good]))), { revisions: [good] });
  t.match(
    historyWarning(withAnnotation('{"not": "a list"}')),
    /^VirtualService shop\/reviews: annotation kubectl-mesh.io\/history is not a JSON list; it is ignored \(the next change drops them\)$/,
  );
  t.equal(historyWarning(withAnnotation('not json')), historyWarning(withAnnotation('{}')));
});

t.test('status shows the warning; a change keeps only the good entries', async (t) => {
  const vs = withAnnotation(JSON.stringify([good, { revision: 2 }]));
  vs.spec!.hosts = ['reviews'];
  const target = resolveTarget(workload('reviews', ['v1', 'v2'], { vs: [vs] }), 'version');
  const status = serviceStatus(target);
  t.ok(
    status.warnings.some((w) => w.startsWith('VirtualService shop/reviews: 1 of 2 entries')),
    status.warnings.join('\n'),
  );
  const plan = planCanary(target, { weight: 20, ...who });
  const written = readHistory(plan.virtualService);
  t.strictSame(
    written.map((r) => r.revision),
    [1, 2],
    'the bad entry is gone, numbering goes on from the good one',
  );
  t.equal(historyWarning(plan.virtualService), undefined);
});
