// The layering of src/, enforced by dependency-cruiser (npm run lint):
//   model  ←  routing, analysis (not each other)  ←  kube, source, istioctl (adapters)  ←  ui  ←  commands, cli
// model, routing and analysis are the pure core: no Node modules, no packages, no adapters.
// kube depends on nothing above it; ui gets what it needs from commands as callbacks. No cycles,
// type-only imports included.
const CORE = '^src/(model|routing|analysis)/';
const ABOVE_CORE = '^src/(kube|source|istioctl|ui|commands|cli|cli\\.ts|main\\.ts|context\\.ts)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle (even type-only) ties modules together: break it by moving the shared part down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-is-the-bottom',
      severity: 'error',
      comment: 'src/model is shared by everything, so it imports nothing from src outside itself.',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'The pure core does no I/O: no Node modules, no packages.',
      from: { path: CORE },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'core-below-adapters',
      severity: 'error',
      comment: 'routing, analysis and model never reach up to the adapters, the UI or the commands.',
      from: { path: CORE },
      to: { path: ABOVE_CORE },
    },
    {
      name: 'routing-not-analysis',
      severity: 'error',
      comment: 'routing and analysis share src/model, not each other.',
      from: { path: '^src/routing/' },
      to: { path: '^src/analysis/' },
    },
    {
      name: 'analysis-not-routing',
      severity: 'error',
      comment: 'routing and analysis share src/model, not each other.',
      from: { path: '^src/analysis/' },
      to: { path: '^src/routing/' },
    },
    {
      name: 'kube-is-an-adapter',
      severity: 'error',
      comment: 'kube depends on nothing above it (model and errors only).',
      from: { path: '^src/kube/' },
      to: { path: '^src/', pathNot: '^src/(kube|model)/|^src/errors\\.ts$' },
    },
    {
      name: 'adapters-below-ui-and-commands',
      severity: 'error',
      comment: 'source and istioctl serve the commands; they never import them or the UI.',
      from: { path: '^src/(source|istioctl)/' },
      to: { path: '^src/(ui|commands|cli)(/|\\.ts$)' },
    },
    {
      name: 'ui-takes-callbacks',
      severity: 'error',
      comment: "ui gets commands' work as callbacks, it does not import commands (type-only imports of the Command contract excepted).",
      from: { path: '^src/ui/' },
      to: { path: '^src/commands/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'src-not-tests',
      severity: 'error',
      comment: 'Production code never imports test code.',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs'],
    },
    // Type-only cycles count too (tsPreCompilationDeps keeps type imports in the graph).
    moduleSystems: ['es6'],
  },
};
