// `npm ci`/`npm install` in a clone, and `npm pack`, run this (the `prepare` script): a clean build
// of dist/ so no stale file (an old source map, a removed module) is left to be packed, then the
// CLI's bundle/ from it (scripts/bundle.mjs). With
// `--omit=dev` TypeScript is not installed: then it says so and leaves dist/ as it is instead of
// failing the install (a tarball install never runs `prepare`; it ships dist/ built).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  const built = existsSync(join(root, 'dist/cli/main.js'));
  process.stderr.write(
    `strisk prepare: typescript is not installed (--omit=dev?), so dist/ is not built${
      built ? ' (the existing dist/ is kept)' : '; run `npm ci` with dev dependencies to build it'
    }\n`,
  );
  process.exit(0);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
  cwd: root,
});
if (r.status !== 0) process.exit(r.status ?? 1);
const b = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { stdio: 'inherit', cwd: root });
process.exit(b.status ?? 1);
