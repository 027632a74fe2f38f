// Module hooks for register.mjs: `./x.js` written in a .ts file finds `./x.ts` (TypeScript's NodeNext
// convention), and .ts/.mts files are turned into JavaScript by esbuild (types stripped, nothing bundled).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const TS = /\.(c|m)?ts$/;

export async function resolve(specifier, context, next) {
  if (context.parentURL && TS.test(context.parentURL) && /^\.{1,2}\/.*\.(c|m)?js$/.test(specifier)) {
    const ts = new URL(specifier.replace(/js$/, 'ts'), context.parentURL);
    if (!existsSync(new URL(specifier, context.parentURL)) && existsSync(ts)) return { url: ts.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !TS.test(url)) return next(url, context);
  const file = fileURLToPath(url);
  const format = url.endsWith('.cts') ? 'commonjs' : 'module';
  const { code } = await transform(await readFile(file, 'utf8'), {
    loader: 'ts',
    format: format === 'module' ? 'esm' : 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: file,
  });
  return { format, source: code, shortCircuit: true };
}
