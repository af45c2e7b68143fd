#!/usr/bin/env node
// Does the http probe measure the server, not itself? strisk's load (runLoad, what `--http` runs)
// against autocannon on the same endpoint, same connections and duration, each run in a fresh
// process, alternating, in one run of this script. Goal (issue 16): strisk ≥ 1.0 × autocannon's
// requests/s with p99 ≤ 1.5 × autocannon's.
//   npm run build && STRISK_SERVICES_DIR=/work/services node bench/http.mjs [options]
//     --url URL          endpoint (default: the test FastAPI app's /health, STRISK_TEST_HTTP_GOOD)
//     --loopback         a Node http server in its own process on 127.0.0.1 instead (the client's cost shows)
//     --connections N    default 16 (the probe's default)
//     --seconds S        default 3 (the probe's default)
//     --rounds R         default 5 pairs
// STRISK_DIST points at another build directory (default dist/).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

// A child process: one load, its result as one JSON line.
if (args[0] === '--run') {
  const [, tool, url, connections, seconds] = args;
  const c = Number(connections);
  const s = Number(seconds);
  if (tool === 'strisk') {
    const dist = process.env.STRISK_DIST ?? `${root}dist`;
    const { runLoad } = await import(pathToFileURL(`${dist}/collectors/http/load.js`).href);
    const r = await runLoad({
      url: new URL(url),
      concurrency: c,
      durationMs: s * 1000,
      maxRequests: 10_000_000,
      timeoutMs: 5000,
    });
    console.log(
      JSON.stringify({ rps: r.throughputRps, p50: r.latencyMs.p50, p99: r.latencyMs.p99, errors: r.errors }),
    );
  } else {
    const { default: autocannon } = await import('autocannon');
    const r = await autocannon({ url, connections: c, duration: s, pipelining: 1 });
    console.log(
      JSON.stringify({
        rps: r.requests.total / (r.duration || s),
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
      }),
    );
  }
  process.exit(0);
}

// The loopback server: a small JSON answer with keep-alive, in its own process.
if (args[0] === '--serve') {
  const http = await import('node:http');
  const body = JSON.stringify({ status: 'ok' });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.on('SIGTERM', () => process.exit(0));
} else {
  await main();
}

function child(argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${argv[1]} exited ${code}`)),
    );
  });
}

async function main() {
  const connections = Number(opt('connections', 16));
  const seconds = Number(opt('seconds', 3));
  const rounds = Number(opt('rounds', 5));
  let server;
  let url = opt('url');
  if (args.includes('--loopback')) {
    server = spawn(process.execPath, [self, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())));
    url = `http://127.0.0.1:${port}/health`;
  }
  if (!url) {
    const env = Object.fromEntries(
      readFileSync(`${process.env.STRISK_SERVICES_DIR ?? `${root}.tmp/services`}/env`, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    url = `${env.STRISK_TEST_HTTP_GOOD}/health`;
  }
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const loadBefore = load();
  const rows = [];
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so a drift in the machine's load hits both alike.
      const order = r % 2 === 0 ? ['autocannon', 'strisk'] : ['strisk', 'autocannon'];
      for (const tool of order)
        rows.push({ tool, ...(await child(['--run', tool, url, connections, seconds])) });
    }
  } finally {
    server?.kill('SIGTERM');
  }
  const loadAfter = load();
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const of = (tool, k) => median(rows.filter((x) => x.tool === tool).map((x) => x[k]));
  console.log(
    `${url}${server ? ' (loopback Node server, own process)' : ''}: ${connections} connections, ${seconds} s per run, ${rounds} pairs alternating, fresh processes`,
  );
  console.log('| run | tool | req/s | p50 ms | p99 ms | errors |\n|---:|---|---:|---:|---:|---:|');
  for (const [i, x] of rows.entries()) {
    console.log(`| ${i + 1} | ${x.tool} | ${x.rps.toFixed(0)} | ${x.p50} | ${x.p99} | ${x.errors} |`);
  }
  const rps = of('strisk', 'rps') / of('autocannon', 'rps');
  const p99 = of('strisk', 'p99') / of('autocannon', 'p99');
  console.log(
    `medians: strisk ${of('strisk', 'rps').toFixed(0)} req/s p99 ${of('strisk', 'p99')} ms; autocannon ${of('autocannon', 'rps').toFixed(0)} req/s p99 ${of('autocannon', 'p99')} ms`,
  );
  console.log(
    `strisk / autocannon: req/s ${rps.toFixed(2)} × (goal ≥ 1.0), p99 ${p99.toFixed(2)} × (goal ≤ 1.5) ${rps >= 1 && p99 <= 1.5 ? 'OK' : 'NOT MET'}`,
  );
  console.log(
    `node ${process.version}; ${new Date().toISOString()}; load average ${loadBefore} before, ${loadAfter} after`,
  );
}
