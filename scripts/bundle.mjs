// `npm run build` (and `prepare`) runs this after tsc: bundles the CLI from dist/ into bundle/ with
// esbuild, so a start-up compiles one script instead of loading ~280 modules (95 of them zod's),
// and stores V8's code cache of it, so that script is not even compiled (Node 20 has no compile
// cache for ES modules; a classic script takes `cachedData`). bin/strisk.js runs it.
//   bundle/strisk.cjs        the CLI, the API and the testing helpers, one script: one set of
//                            module instances, which a plugin's `strisk/api` must share
//   bundle/strisk.cjs.cache  V8's code cache of it, made by running the CLI once (see below)
//   bundle/api.js, testing.js  what a plugin's `strisk/api` and `strisk/testing` resolve to while
//                            the bundled CLI runs it (the resolve hook): the bundle's own exports
//   bundle/plugin-hooks.js   the resolve hook; bundle/source-worker.cjs the app collector's worker;
//                            bundle/app-hint.cjs whether an audit may read an app (bin/strisk.js)
//   bundle/xmlbuilder2.cjs   the XML builder, for the JUnit reporter only (see xmlApart below)
//   bundle/zod-locales.cjs   zod's messages in languages other than English (see zodLocalesApart)
// Code a command imports lazily (the audit, a reporter, a collector) is in the script but neither
// run nor compiled until used. Packages with files found beside their code at run time
// (web-tree-sitter's WASM) or loaded only for a live source stay external, required from
// node_modules. With --omit=dev esbuild is not installed: then it says so and bin/ runs dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  define: { STRISK_BUNDLE: 'true' },
  legalComments: 'none',
  logLevel: 'warning',
};
// commander requires node:child_process when it loads, for executable subcommands (strisk has
// none): in the bundle it gets a stand-in that requires the module on first use, so an audit that
// never runs git does not load child_process (with net and dgram).
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'lazy-child-process', namespace: 'strisk-lazy' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'strisk-lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};
// The XML builder (xmlbuilder2 with its DOM, URL and js-yaml dependencies: 460 KB of the 2.4 MB)
// is its own script, bundle/xmlbuilder2.cjs, required when the JUnit reporter first loads: every
// other audit reads, turns into a string and checks 20 % less script: the example's audit 474.6
// against 492.4 ms, a JUnit one 538.1 against 526.4 (fastest third of 31 alternating rounds; the
// medians 549.6 against 573.7, and 607.9 against 605.7). Left to node_modules instead, like pg, it
// cost a JUnit audit 85 ms: 167 files through the module loader.
const xmlApart = {
  name: 'xml-apart',
  setup(build) {
    build.onResolve({ filter: /^xmlbuilder2$/ }, () => ({ path: './xmlbuilder2.cjs', external: true }));
  },
};
// zod's messages in its 62 other locales (`z.locales`: 300 KB of the 1.9 MB script) are a script of
// their own too, bundle/zod-locales.cjs: strisk reports in English, the one locale zod sets itself
// (its schemas import locales/en.js directly, and `z.locales.en` is that same module, in the main
// script). `z.locales` still has every locale for a plugin that sets another (`strisk/api` gives it
// this zod): each is a function that requires the script at its first call. Read and copied at every
// start-up for nothing otherwise: the example's audit 469.8 against 474.7 ms (fastest third of 25
// alternating rounds).
const zodLocaleNames = Object.keys(createRequire(join(root, 'package.json'))('zod/v4/locales')).filter(
  (name) => name !== 'en',
);
const zodLocalesApart = {
  name: 'zod-locales-apart',
  setup(build) {
    build.onResolve({ filter: /[\\/]locales[\\/]index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'strisk-zod-locales' }
        : undefined,
    );
    build.onResolve({ filter: /^\.\/zod-locales\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    // An ES module, as zod's own index is: the namespace has its names and no `default` beside them.
    build.onLoad({ filter: /.*/, namespace: 'strisk-zod-locales' }, () => ({
      contents: [
        "export { default as en } from 'zod/v4/locales/en.js';",
        'let all;',
        "const load = () => (all ??= require('./zod-locales.cjs'));",
        ...zodLocaleNames.map(
          (name, i) =>
            `const locale${i} = (...args) => load()[${JSON.stringify(name)}](...args);\nexport { locale${i} as ${name} };`,
        ),
      ].join('\n'),
      loader: 'js',
      resolveDir: root,
    }));
  },
};
const script = {
  ...common,
  plugins: [lazyChildProcess, xmlApart, zodLocalesApart],
  format: 'cjs',
  external: ['pg', 'ioredis', 'web-tree-sitter', 'tree-sitter-python', 'hdr-histogram-js'],
  // Whitespace and syntax minified, names left as written (stack traces and messages name
  // functions and classes as the source does): 2.4 MB instead of 3.5, read and turned into a string
  // on every start-up; the example's audit 442.9 against 459.1 ms (fastest third of 31
  // alternating rounds). Renaming identifiers too (with keepNames) gained nothing more at start-up, and
  // a 5,000-service compose audit 5-15 % slower: keepNames wraps every named function it creates
  // in a call (BENCHMARKS.md, "Start-up").
  minifyWhitespace: true,
  minifySyntax: true,
  // A script compiled from the code cache cannot call import(): externals are required (each has a
  // CommonJS entry), and a plugin is imported through bin/strisk.js (core/plugins.ts).
  supported: { 'dynamic-import': false },
  define: { ...common.define, 'import.meta.url': '__striskUrl' },
  banner: { js: "const __striskUrl = require('node:url').pathToFileURL(__filename).href;" },
};
// A package the main script requires apart (xmlApart, zodLocalesApart), bundled on its own beside it.
const buildApart = (entry, file) =>
  esbuild.build({
    ...common,
    format: 'cjs',
    minifyWhitespace: script.minifyWhitespace,
    minifySyntax: script.minifySyntax,
    entryPoints: [entry],
    outfile: join(outdir, file),
  });
await buildApart('xmlbuilder2', 'xmlbuilder2.cjs');
await buildApart('zod/v4/locales', 'zod-locales.cjs');
await esbuild.build({
  ...script,
  stdin: {
    // The API and the testing helpers are required when a plugin first imports them (bin/strisk.js
    // publishes them as getters), so an audit without plugins does not evaluate what only they use.
    contents: [
      "export { main } from './dist/cli/main.js';",
      "export const api = () => require('./dist/api/index.js');",
      "export const testing = () => require('./dist/testing/index.js');",
      // bin/strisk.js starts the app's parse worker before it loads this script, and hands it over
      // (src/collectors/app/source.ts); without one, it asks for one as an audit starts.
      "export const prestartAppWorker = (args, early) => (early || require('./dist/cli/app-hint.js').mayReadApp(args)) && require('./dist/collectors/app/source.js').prestartWorker(early);",
    ].join('\n'),
    resolveDir: root,
    sourcefile: 'strisk-bundle.js',
  },
  outfile: join(outdir, 'strisk.cjs'),
});
// esbuild escapes what is not ASCII in strings, not in comments and regular expression literals
// (`≤` in a pattern): those are escaped here too (`\u2264`, the same pattern), so that the script is
// ASCII and bin/strisk.js takes it as a one-byte string (latin1) instead of decoding UTF-8 into a
// two-byte string (about 15 ms for 3.4 MB, and twice the memory).
{
  const file = join(outdir, 'strisk.cjs');
  const text = readFileSync(file, 'utf8').replace(
    /[^\x00-\x7f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  // Wrapped as Module.wrap would wrap it, so bin/strisk.js compiles the file's own string.
  writeFileSync(file, Module.wrap(text));
}
await esbuild.build({
  ...script,
  entryPoints: ['dist/collectors/app/source-worker.js'],
  outfile: join(outdir, 'source-worker.cjs'),
});
// What bin/strisk.js asks before it loads the bundle: whether the audit may read an app, so that
// the parse worker starts then (a few KB, compiled without a cache).
await esbuild.build({
  ...script,
  entryPoints: ['dist/cli/app-hint.js'],
  outfile: join(outdir, 'app-hint.cjs'),
});
await esbuild.build({
  ...common,
  format: 'esm',
  entryPoints: ['dist/core/plugin-hooks.js'],
  outfile: join(outdir, 'plugin-hooks.js'),
});
// The plugin-facing modules re-export what the running bundle holds (bin/strisk.js publishes it).
for (const [name, dist] of [
  ['api', 'dist/api/index.js'],
  ['testing', 'dist/testing/index.js'],
]) {
  const names = Object.keys(await import(pathToFileURL(join(root, dist)).href)).sort();
  writeFileSync(
    join(outdir, `${name}.js`),
    `// The running strisk's ${dist} (generated by scripts/bundle.mjs).\n` +
      `const m = globalThis[Symbol.for('strisk.bundle')].${name};\n` +
      names.map((n) => `export const ${n} = m.${n};\n`).join(''),
  );
}
// The code cache: bin/strisk.js writes it at exit when STRISK_CODE_CACHE names a file. Made from an
// audit of the example when it is there (every function that audit compiles is cached), else of
// an empty directory (a packed copy of the sources has no examples/). V8 refuses a cache made by
// another Node version or with other V8 flags; then the script is compiled as if there were none.
const example = join(root, 'examples/st-risk-platform');
const empty = existsSync(example) ? undefined : mkdtempSync(join(tmpdir(), 'strisk-bundle-'));
const run = spawnSync(
  process.execPath,
  [join(root, 'bin/strisk.js'), 'audit', empty ?? example, '--format', 'json'],
  {
    cwd: empty ?? root,
    env: { ...process.env, STRISK_CODE_CACHE: join(outdir, 'strisk.cjs.cache'), NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
if (empty) rmSync(empty, { recursive: true, force: true });
// 0 or 1: the gate's verdict; 3: the empty directory's audit is incomplete. Any other is a bug.
if (![0, 1, 3].includes(run.status) || !existsSync(join(outdir, 'strisk.cjs.cache'))) {
  process.stderr.write(`strisk bundle: the run that makes the code cache exited ${run.status}\n`);
  process.exit(1);
}
