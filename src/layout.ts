// strisk runs from dist/ (the tsc output, and what `strisk/api` and `strisk/testing` export) or
// from bundle/ (the CLI bundled from dist/ by scripts/bundle.mjs into one script, which bin/strisk.js
// prefers). The bundler defines STRISK_BUNDLE; every bundle file sits
// directly in bundle/, as this module sits directly in dist/ or src/, so the package root is `..`
// of either.
declare const STRISK_BUNDLE: boolean | undefined;

/** True in the bundle, false in dist/ and in the TypeScript sources (tests). */
export const BUNDLED = typeof STRISK_BUNDLE !== 'undefined' && STRISK_BUNDLE === true;

/** The package root (where package.json, dist/, bundle/ and docs/ are), as a file URL ending in `/`. */
export const PACKAGE_ROOT_URL = new URL('../', import.meta.url);

/** A file of the bundle: `bundleFile('api.js')` is bundle/api.js. */
export const bundleFile = (name: string): URL => new URL(`bundle/${name}`, PACKAGE_ROOT_URL);
