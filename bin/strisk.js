#!/usr/bin/env node
// The bundle (bundle/, built from dist/ by `npm run build`) when there is one at least as new as
// dist/: one file to load instead of ~280 modules. Else dist/ (a build by tsc alone, or an install
// without the bundle).
import { statSync } from 'node:fs';

const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime('../bundle/strisk.js');
const { main } = await import(
  bundled !== undefined && bundled >= (mtime('../dist/cli/main.js') ?? 0)
    ? '../bundle/strisk.js'
    : '../dist/cli/main.js'
);

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`strisk: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 2;
  },
);
