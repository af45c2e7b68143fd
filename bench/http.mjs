// Does the http probe measure the server, not itself? Runs strisk's bounded load and autocannon
// against the same endpoint, same connections and duration, in one run, and compares throughput
// (target: within 20%). Needs the built collector (npm run build) and a running server:
//   bash scripts/test-services.sh start fastapi && npm run build && node bench/http.mjs [URL]
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const env = Object.fromEntries(
  readFileSync(new URL('../.tmp/services/env', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const url = process.argv[2] ?? `${env.STRISK_TEST_HTTP_GOOD}/health`;
const connections = 16;
const seconds = 5;
const { runLoad } = await import('../dist/collectors/http/load.js');

async function strisk() {
  const r = await runLoad({
    url: new URL(url),
    concurrency: connections,
    durationMs: seconds * 1000,
    maxRequests: 10_000_000,
    timeoutMs: 5000,
  });
  return {
    tool: 'strisk',
    rps: Math.round(r.throughputRps * 10) / 10,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    errors: r.errors,
  };
}
async function cannon() {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const total = r.requests.total;
  return {
    tool: 'autocannon',
    rps: Math.round((total / (r.duration || seconds)) * 10) / 10,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

const rows = [];
for (const run of [cannon, strisk, cannon, strisk]) rows.push(await run());
const avg = (tool) => rows.filter((r) => r.tool === tool).reduce((s, r) => s + r.rps, 0) / 2;
const ratio = avg('strisk') / avg('autocannon');
console.log(`endpoint ${url}, ${connections} connections, ${seconds} s per run, alternating runs`);
console.log('| tool | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.tool} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} |`);
console.log(
  `strisk / autocannon throughput: ${(ratio * 100).toFixed(1)}% (target: within 20%) ${Math.abs(1 - ratio) <= 0.2 ? 'OK' : 'OUT OF RANGE'}`,
);
process.exit(Math.abs(1 - ratio) <= 0.2 ? 0 : 1);
