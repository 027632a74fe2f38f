// Runs the TypeScript test files under tap (package.json "tap"."node-arg": --import this file).
// Replaces tap's ts-node plugin, which loads the TypeScript compiler into every test process:
// esbuild strips the types instead, in a few milliseconds per file. Types are checked by tsc
// (npm run typecheck), not here.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
