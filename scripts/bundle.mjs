// `npm run build` (and `prepare`) runs this after tsc: bundles the CLI from dist/ into bundle/ with
// esbuild, so a start-up loads a few files instead of ~280 modules (95 of them zod's). ESM with
// code splitting: what a command imports lazily (the audit, a reporter, a collector) stays a
// separate chunk loaded only when used. The entries a running strisk hands to others are entries
// here too, so they share the bundle's module instances: bundle/api.js and bundle/testing.js (what a
// plugin's `strisk/api` resolves to while the bundled CLI runs it), bundle/plugin-hooks.js (the
// resolve hook) and bundle/source-worker.js (the app collector's worker thread). Packages with files
// found beside their code at run time (web-tree-sitter's WASM) or loaded only for a live source stay
// external, imported from node_modules as before. With --omit=dev esbuild is not installed: then it
// says so and bin/strisk.js runs dist/.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let esbuild;
try {
  esbuild = createRequire(join(root, 'package.json'))('esbuild');
} catch {
  process.stderr.write(
    'strisk bundle: esbuild is not installed (--omit=dev?), so bin/strisk.js runs dist/\n',
  );
  process.exit(0);
}
const outdir = join(root, 'bundle');
rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: {
    strisk: 'dist/cli/main.js',
    api: 'dist/api/index.js',
    testing: 'dist/testing/index.js',
    'plugin-hooks': 'dist/core/plugin-hooks.js',
    'source-worker': 'dist/collectors/app/source-worker.js',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { STRISK_BUNDLE: 'true' },
  external: ['pg', 'ioredis', 'web-tree-sitter', 'tree-sitter-python', 'hdr-histogram-js'],
  // Bundled CommonJS packages (cli-table3, dockerfile-ast) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __striskRequire } from 'node:module';\nconst require = __striskRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
