#!/usr/bin/env node
// App collector benchmark (after `npm run build`): the largest real FastAPI code base of the corpus
// (fixtures/real-world/fastapi/polar, server/polar, 1,033 Python files), each case in its own child
// process, rounds interleaved, medians. Baselines measured in the same run: `node -e 0` (start-up,
// memory of an empty process) and reading the same files without parsing them. Prints Markdown.
//   node bench/app.mjs [rounds] [BASELINE_DIST]
// With BASELINE_DIST (the dist/ of an earlier build), that build's collector runs as one more case.
// "read + parse, 2 worker threads": the same parse split over two worker_threads (one tree-sitter
// WASM instance each), to see what parallel parsing could give on this machine at this load.
// "app collector, no worker threads": strisk's collector with `workers: 0` (parsing in the main
// thread), to show what the threads give. `uptime` (load average) is printed before and after.
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PROJECT = path.join(root, 'fixtures/real-world/fastapi/polar');
const APP = 'server/polar';

async function pythonFiles(dir, out = []) {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await pythonFiles(full, out);
    else if (e.name.endsWith('.py')) out.push(full);
  }
  return out;
}

/** One case, in this (child) process: prints {ms, cpuMs, files, maxRssMiB}. */
async function child(mode) {
  const dir = path.join(PROJECT, APP);
  const t = performance.now();
  const c0 = process.cpuUsage();
  let files = 0;
  if (mode === 'read') {
    const list = await pythonFiles(dir);
    for (const f of list) await readFile(f, 'utf8');
    files = list.length;
  } else if (mode === 'parse') {
    const { parsePython } = await import(`${root}dist/collectors/app/parser.js`);
    const list = await pythonFiles(dir);
    for (const f of list) (await parsePython(await readFile(f, 'utf8'))).delete();
    files = list.length;
  } else if (mode === 'parse-workers') {
    const list = await pythonFiles(dir);
    const n = 2;
    const counts = await Promise.all(
      Array.from(
        { length: n },
        (_, i) =>
          new Promise((resolve, reject) => {
            const w = new Worker(fileURLToPath(import.meta.url), {
              argv: ['--worker'],
              workerData: list.filter((_, j) => j % n === i),
            });
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    files = counts.reduce((a, b) => a + b, 0);
  } else if (mode === 'collect-one-thread') {
    // The same collector with its parsing kept in the main thread (no worker threads).
    const { collectApp } = await import(`${root}dist/collectors/app/index.js`);
    const facts = await collectApp(path.join(PROJECT, APP), { projectDir: PROJECT, workers: 0 });
    files = facts.files.length;
  } else {
    const dist = mode === 'baseline' ? process.argv[4] : `${root}dist`;
    const { collect } = await import(path.join(dist, 'collectors/app/index.js'));
    const r = await collect({ url: APP }, { projectDir: PROJECT, timeoutMs: 5000 });
    if (r.status !== 'ok') throw new Error(`collect: ${r.status} ${r.message}`);
    files = r.data.files.length;
  }
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, files, maxRssMiB }));
}

if (process.argv[2] === '--worker') {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { parsePython } = await import(`${root}dist/collectors/app/parser.js`);
  for (const f of workerData) (await parsePython(await readFile(f, 'utf8'))).delete();
  parentPort.postMessage(workerData.length);
} else if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  const rounds = Number(process.argv[2] ?? 5);
  const { loadavg } = await import('node:os');
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const cases = [
    [
      'node -e 0',
      [
        '-e',
        'console.log(JSON.stringify({ms:0,cpuMs:0,files:0,maxRssMiB:process.resourceUsage().maxRSS/1024}))',
      ],
    ],
    ['read the files', [fileURLToPath(import.meta.url), '--child', 'read']],
    ['read + parse (tree-sitter)', [fileURLToPath(import.meta.url), '--child', 'parse']],
    ['read + parse, 2 worker threads', [fileURLToPath(import.meta.url), '--child', 'parse-workers']],
    ['app collector (strisk)', [fileURLToPath(import.meta.url), '--child', 'collect']],
    ['app collector, no worker threads', [fileURLToPath(import.meta.url), '--child', 'collect-one-thread']],
  ];
  if (process.argv[3])
    cases.push([
      `app collector of ${process.argv[3]}`,
      [fileURLToPath(import.meta.url), '--child', 'baseline', path.resolve(process.argv[3])],
    ]);
  const samples = new Map(cases.map(([name]) => [name, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, args] of cases) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      const wall = Number(process.hrtime.bigint() - t) / 1e6;
      if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
      samples.get(name).push({ ...JSON.parse(r.stdout.trim().split('\n').at(-1)), wall });
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const m = (name, k) => median(samples.get(name).map((s) => s[k]));
  const files = m('app collector (strisk)', 'files');
  const per = (v) => (v * 1000) / files;
  const readMs = m('read the files', 'ms');
  const parseMs = m('read + parse (tree-sitter)', 'ms');
  const baseRss = m('node -e 0', 'maxRssMiB');
  console.log(
    `${files} Python files (${path.relative(root, path.join(PROJECT, APP))}), ${rounds} rounds, interleaved, medians\n`,
  );
  console.log(
    '| case | in-process ms per 1,000 files | CPU ms per 1,000 files | × reading | × read + parse | process wall ms | peak RSS MiB | × node -e 0 RSS |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name] of cases) {
    const ms = m(name, 'ms');
    const rss = m(name, 'maxRssMiB');
    const first = name === 'node -e 0';
    console.log(
      `| ${name} | ${first ? '–' : per(ms).toFixed(0)} | ${first ? '–' : per(m(name, 'cpuMs')).toFixed(0)} | ${first ? '–' : (ms / readMs).toFixed(2)} | ${first ? '–' : (ms / parseMs).toFixed(2)} | ${m(name, 'wall').toFixed(0)} | ${rss.toFixed(0)} | ${(rss / baseRss).toFixed(2)} |`,
    );
  }
  const loadAfter = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `\nnode ${process.version}; ${new Date().toISOString()}; load average (1, 5, 15 min) before ${loadBefore}, after ${loadAfter}`,
  );
}
