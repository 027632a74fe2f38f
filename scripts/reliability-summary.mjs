// The reliability tier's closing table. Convention for every file under test/reliability/ (including
// connect's frozen-apiserver*.test.ts): for each category of cases it covers, a file prints one TAP
// comment line (t.comment, see test/reliability/support.ts reportCategory/Tally):
//
//   # RELIABILITY <category> <passed>/<total> <what was checked>
//
// This module sums those lines by category (several files may report the same category) and prints
// the table; a category that reports fewer passed than total shows as FAIL.

const LINE = /^\s*#\s*RELIABILITY\s+(\S+)\s+(\d+)\/(\d+)(?:\s+(.*))?$/;

/** Category → { passed, total, checked } from raw TAP text. */
export function collect(tap) {
  const rows = new Map();
  for (const line of tap.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const row = rows.get(m[1]) ?? { passed: 0, total: 0, checked: new Set() };
    row.passed += Number(m[2]);
    row.total += Number(m[3]);
    if (m[4]) row.checked.add(m[4].trim());
    rows.set(m[1], row);
  }
  return rows;
}

export function summaryTable(tap) {
  const rows = [...collect(tap)].map(([category, r]) => [
    category,
    String(r.total),
    String(r.passed),
    r.passed === r.total ? 'ok' : 'FAIL',
    [...r.checked].join('; '),
  ]);
  if (!rows.length) return 'reliability: no RELIABILITY lines were reported\n';
  const sum = (i) => rows.reduce((n, r) => n + Number(r[i]), 0);
  const all = [
    ['CATEGORY', 'CASES', 'PASSED', '', 'CHECKED'],
    ...rows,
    ['total', String(sum(1)), String(sum(2)), sum(1) === sum(2) ? 'ok' : 'FAIL', ''],
  ];
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return `${all
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
