import t from 'tap';
import type { Finding } from '../../../src/analysis/types.js';
import { countByLevel, hasFindingsAtOrAbove } from '../../../src/analysis/types.js';
import { paint, renderFindings, summarizeFindings } from '../../../src/ui/findings.js';

const findings: Finding[] = [
  {
    code: 'IST0131',
    level: 'Info',
    origin: 'VirtualService shop/reviews',
    message: 'VirtualService rule #2 match #0 is not used.',
    source: 'built-in',
    path: 'spec.http[2].match[0]',
  },
  {
    code: 'IST0101',
    level: 'Error',
    origin: 'VirtualService shop/reviews',
    message: 'Referenced host not found: "ratings"',
    source: 'istioctl',
  },
  {
    code: 'MESH0002',
    level: 'Warning',
    origin: 'VirtualService shop/reviews',
    message: 'Weights add up to 90,\n not 100.',
    source: 'built-in',
    path: 'spec.http[1].route',
  },
  {
    code: 'IST0173',
    level: 'Error',
    origin: 'DestinationRule shop/reviews',
    message: 'The Subset v4 defined in the DestinationRule does not select any pods.',
    source: 'built-in',
    path: 'spec.subsets[2]',
  },
  { code: 'IST0102', level: 'Info', origin: '', message: 'cluster-level', source: 'istioctl' },
];

t.test('a table grouped Error, Warning, Info, with a summary', async (t) => {
  t.equal(
    renderFindings(findings, { color: false }),
    [
      'LEVEL    CODE      OBJECT                                             MESSAGE',
      'Error    IST0101   VirtualService shop/reviews                        Referenced host not found: "ratings"',
      'Error    IST0173   DestinationRule shop/reviews spec.subsets[2]       The Subset v4 defined in the DestinationRule does not select any pods.',
      'Warning  MESH0002  VirtualService shop/reviews spec.http[1].route     Weights add up to 90, not 100.',
      'Info     IST0131   VirtualService shop/reviews spec.http[2].match[0]  VirtualService rule #2 match #0 is not used.',
      'Info     IST0102   (cluster)                                          cluster-level',
      '',
      '2 errors, 1 warning, 2 info',
      '',
    ].join('\n'),
  );
});

t.test('colour only when asked', async (t) => {
  const plain = renderFindings(findings, { color: false });
  t.notMatch(plain, /\u001b\[/);
  const coloured = renderFindings(findings, { color: true });
  t.match(coloured, '\u001b[1;31mError  \u001b[0m  IST0101');
  t.match(coloured, '\u001b[33mWarning\u001b[0m  MESH0002');
  t.match(coloured, '\u001b[36mInfo   \u001b[0m  IST0131');
  t.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ''), plain, 'same text without the escapes');
  t.equal(paint('x', 'Error', false), 'x');
});

t.test('no findings', async (t) => {
  t.equal(renderFindings([], { color: true }), 'No issues found.\n');
  t.equal(summarizeFindings([]), '0 errors, 0 warnings, 0 info');
});

t.test('counting helpers', async (t) => {
  t.same(countByLevel(findings), { Error: 2, Warning: 1, Info: 2 });
  t.ok(hasFindingsAtOrAbove(findings));
  t.notOk(hasFindingsAtOrAbove(findings.filter((f) => f.level !== 'Error')));
  t.ok(
    hasFindingsAtOrAbove(
      findings.filter((f) => f.level !== 'Error'),
      'Warning',
    ),
  );
  t.notOk(hasFindingsAtOrAbove([findings[0]], 'Warning'));
});
