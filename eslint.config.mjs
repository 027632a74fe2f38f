// typescript-eslint's strict type-checked preset, tuned on purpose: every rule turned off or adjusted
// below says why in one line. `npm run lint` runs this (scripts/lint.mjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'plugin/', 'release/', 'node_modules/', 'test/golden/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Template literals are how we build one-line messages; numbers, booleans and arrays (comma-joined) read fine in them.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowArray: true }],
      // Methods that implement a Promise-returning contract (Source.inventory, credentials) stay async without an await,
      // so that a throw inside them becomes a rejection, as their callers expect.
      '@typescript-eslint/require-await': 'off',
      // Parsed input of unknown shape is turned into text for messages on purpose (String(host)); guarding each
      // for objects would only trade "[object Object]" in a message for more code.
      '@typescript-eslint/no-base-to-string': 'off',
      // A caught value passed on to reject() keeps its identity; wrapping it would change the error callers see.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Deleting a computed key of a plain record (environment variables, kubeconfig overrides) is what we mean.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // A verb's run() may return nothing (exit 0): Promise<number | void> says so.
      '@typescript-eslint/no-invalid-void-type': 'off',
      // We match terminal escape sequences (\x1b) on purpose: stripping and checking colour output.
      'no-control-regex': 'off',
      // Objects from the cluster and from users' files are typed as the API documents them, but a hand-written
      // YAML may lack any field, so the guards on them stay; with noUncheckedIndexedAccess off, `args[0] === undefined`
      // is a real check the rule would call unnecessary.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `_name` marks a parameter a callback signature requires but this implementation does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // noUncheckedIndexedAccess is off, so `!` marks a look-up the code checked a line above (map.get after has, regex groups).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A function that says it returns an exit code names it (ExitCode.ok), so a reader needs no table.
      'no-restricted-syntax': [
        'error',
        ...[
          "[returnType.typeAnnotation.typeName.name='ExitCodeValue']",
          "[returnType.typeAnnotation.typeArguments.params.0.typeName.name='ExitCodeValue']",
          "[returnType.typeAnnotation.typeArguments.params.0.types.0.typeName.name='ExitCodeValue']",
        ].map((returnsExitCode) => ({
          selector: `:function${returnsExitCode} ReturnStatement > Literal.argument`,
          message: 'Return an exit code by name (ExitCode.ok …, src/errors.ts), not a bare number.',
        })),
      ],
    },
  },
  {
    // The pure core (dependency-cruiser keeps its imports pure; these keep its code pure): no process state,
    // no clock, no randomness. Callers pass them in.
    files: ['src/model/**/*.ts', 'src/routing/**/*.ts', 'src/analysis/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'The pure core reads no process state: take it as an argument.' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'The pure core reads no clock: take the time as an argument.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'The pure core reads no clock: take the time as an argument.',
        },
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'The pure core is deterministic: take a seed or a random source as an argument.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // tap awaits every t.test() itself; awaiting each would serialise subtests for nothing.
      '@typescript-eslint/no-floating-promises': 'off',
      // tap callbacks are async by habit so an added await needs no signature change.
      '@typescript-eslint/require-await': 'off',
      // A test that reaches a missing value crashes, which fails the test: the assertion `!` is the check.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read the CLI's JSON output (JSON.parse → any); a wrong shape fails the assertion that reads it.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Stream 'data' chunks are appended as text (out += d), and caught values are inspected by the assertions.
      '@typescript-eslint/restrict-plus-operands': ['error', { allowAny: true }],
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
      // Fakes stand in for classes (a socket, a client) on purpose; that is what a fake is.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Tests throw odd values on purpose, to check they are handled.
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    // Scripts and the cluster launcher are plain JavaScript outside the TypeScript project: syntax rules only.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'module',
          'require',
          'console',
          'URL',
          'Buffer',
          'fetch',
          'AbortController',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
);
