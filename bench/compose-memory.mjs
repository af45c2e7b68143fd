#!/usr/bin/env node
// Memory of a large compose file: a generated file of SERVICES services (default 5,000; the same
// service as bench/compose.mjs), read in fresh processes by (1) nothing but readFile, (2) the
// `yaml` library's plain parse (no positions), (3) its document API as the collector calls it, and
// (4) the compose collector. Each child reports its peak RSS (getrusage) minus its RSS just
// before the work, as a multiple of the file size; rounds alternate, medians.
// With STRISK_BEFORE_DIST set to another build's dist/ (say, the commit before a change, built with
// `git archive REV src tsconfig*.json package.json | tar -x -C DIR && cd DIR && npx tsc -p
// tsconfig.build.json`), its collector is a fifth case of the same run: before and after side by side.
//   npm run build && node bench/compose-memory.mjs [rounds] [--services N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.env.STRISK_DIST ?? `${root}dist`;
const rounds = Number(process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : 3);
const n = Number(
  process.argv.includes('--services') ? process.argv[process.argv.indexOf('--services') + 1] : 5000,
);

const dir = mkdtempSync(join(tmpdir(), 'strisk-bench-compose-mem-'));
const parts = ['x-common: &common\n  restart: unless-stopped\n  logging: { driver: json-file }\nservices:\n'];
for (let i = 0; i < n; i++) {
  parts.push(
    `  svc${i}:\n    <<: *common\n    image: "registry.example.com/app${i}:\${TAG:-1.0}"\n` +
      `    command: ["uvicorn", "app:app", "--workers", "4"]\n    environment:\n      LOG_LEVEL: info\n` +
      `      DATABASE_URL: postgresql://app:\${DB_PASSWORD}@db:5432/app${i}\n    mem_limit: 512m\n` +
      `    ports:\n      - "${8000 + (i % 1000)}:8000"\n    labels:\n      com.example.id: "${i}"\n`,
  );
}
const file = join(dir, 'compose.yaml');
writeFileSync(file, parts.join(''));
const bytes = statSync(file).size;

const yamlUrl = pathToFileURL(join(root, 'node_modules/yaml/dist/index.js')).href;
const collectorUrl = pathToFileURL(`${dist}/collectors/compose/index.js`).href;
// Modules are imported before the baseline RSS is taken: only the work is measured.
const cases = {
  'read the file': `const { readFileSync } = await import('node:fs'); const work = () => readFileSync(${JSON.stringify(file)}, 'utf8');`,
  'yaml: plain parse (no positions)': `const { readFileSync } = await import('node:fs'); const { parse } = await import(${JSON.stringify(yamlUrl)});
    const work = () => parse(readFileSync(${JSON.stringify(file)}, 'utf8'), { merge: true, uniqueKeys: false, maxAliasCount: -1 });`,
  'yaml: documents with positions': `const { readFileSync } = await import('node:fs'); const { parseAllDocuments, LineCounter } = await import(${JSON.stringify(yamlUrl)});
    const work = () => parseAllDocuments(readFileSync(${JSON.stringify(file)}, 'utf8'), { lineCounter: new LineCounter(), merge: true, uniqueKeys: false });`,
  'compose collector (strisk)': `const { collectCompose } = await import(${JSON.stringify(collectorUrl)});
    const work = () => collectCompose({ projectDir: ${JSON.stringify(dir)}, env: { TAG: '2.0', DB_PASSWORD: 'x' } });`,
};
if (process.env.STRISK_BEFORE_DIST) {
  const beforeUrl = pathToFileURL(`${process.env.STRISK_BEFORE_DIST}/collectors/compose/index.js`).href;
  cases['compose collector, before (STRISK_BEFORE_DIST)'] = cases['compose collector (strisk)'].replace(
    JSON.stringify(collectorUrl),
    JSON.stringify(beforeUrl),
  );
}
// The audit's own V8 flags, set at run time once the modules are loaded, as the CLI sets them
// (src/core/v8-flags.ts), for the collector as strisk runs it; the plain yaml cases and the before
// build run with node's defaults.
const { AUDIT_V8_FLAGS: V8_FLAGS } = await import(pathToFileURL(`${dist}/core/v8-flags.js`).href);
const cliFlags = `const { setFlagsFromString } = await import('node:v8'); for (const f of ${JSON.stringify(V8_FLAGS)}) setFlagsFromString(f);\n`;
const flagsOf = (name) => (name === 'compose collector (strisk)' ? cliFlags : '');
const script = (setup) =>
  `${setup}\nglobalThis.gc(); const before = process.memoryUsage().rss; const kept = await work();\n` +
  'const peak = process.resourceUsage().maxRSS * 1024; process.stdout.write(JSON.stringify({ growth: peak - before, kept: Boolean(kept) }));';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const loadBefore = loadavg()[0];
try {
  for (let r = 0; r < rounds; r++) {
    for (const [name, setup] of Object.entries(cases)) {
      const args = ['--expose-gc', '--input-type=module', '-e', script(setup + flagsOf(name))];
      const p = spawnSync(process.execPath, args, {
        encoding: 'utf8',
      });
      if (p.status !== 0) throw new Error(`${name}: ${p.stderr}`);
      samples[name].push(JSON.parse(p.stdout).growth);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const mib = (b) => (b / 2 ** 20).toFixed(1);
console.log('| case | peak RSS growth MiB | × file size |\n|---|---:|---:|');
for (const name of Object.keys(cases)) {
  const g = median(samples[name]);
  console.log(`| ${name} | ${mib(g)} | ${(g / bytes).toFixed(0)} |`);
}
console.log(
  `\n${n} services, ${mib(bytes)} MiB file; ${rounds} rounds alternating, medians; node ${process.version}; ` +
    `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after; ${new Date().toISOString()}`,
);
