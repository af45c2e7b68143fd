import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** The package version, read once from package.json next to dist/ or src/. */
export const VERSION: string = pkg.version;

/**
 * Where the tool is described (SARIF's `informationUri`): package.json's `homepage` when set, else
 * the package's page on the npm registry, the name it is installed by.
 */
export const HOMEPAGE: string =
  typeof pkg.homepage === 'string' && /^https?:\/\//.test(pkg.homepage)
    ? pkg.homepage
    : `https://www.npmjs.com/package/${pkg.name}`;
