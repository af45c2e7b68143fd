// How long and how big does one audit get against a hostile HTTP server? Runs `strisk audit` (the
// given bin, default this checkout's) against a fake server on 127.0.0.1 for each source × fault,
// with --timeout MS (default 5000, strisk's own default), and prints the child's peak RSS (VmHWM), when its report was written and
// when it exited, counted from the server's first connection. A watchdog kills a child past 2 GB
// or 60 s (the figure then reads "killed"). The faults are those of test/support/hostile.ts,
// restated here because a bench script runs on plain node:
//   npm run build && node bench/hostile.mjs [path/to/bin/strisk.js] [timeout ms]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(process.argv[2] ?? new URL('../bin/strisk.js', import.meta.url).pathname);
const timeoutMs = process.argv[3] ?? '5000';
const KILL_RSS_KB = 2 * 1024 * 1024;
const KILL_MS = 60_000;
const head = (h) => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${h}\r\n\r\n`;

const FAULTS = {
  tarpit: () => {},
  drip: (s) => {
    s.write(head('Content-Length: 100000000'));
    const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write(' ')), 1000);
  },
  'endless-body': (s) => {
    s.write(head('Transfer-Encoding: chunked'));
    const chunk = Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
    const pump = () => {
      while (!s.destroyed && s.write(chunk));
    };
    s.on('drain', pump);
    pump();
  },
};

const SOURCES = {
  docker: (port) => ['--docker', `tcp://127.0.0.1:${port}`],
  clickhouse: (port) => ['--clickhouse', `http://127.0.0.1:${port}`],
  http: (port) => ['--http', `http://127.0.0.1:${port}`],
};

function hwmKb(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function row(source, fault) {
  const sockets = new Set();
  let firstAt = null;
  const server = createServer((s) => {
    firstAt ??= performance.now();
    sockets.add(s);
    s.on('error', () => {});
    s.once('data', () => FAULTS[fault](s));
    s.resume();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'strisk-bench-hostile-'));
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  api:\n    image: example/api:1.0\n');
  const child = spawn(
    process.execPath,
    [
      bin,
      'audit',
      dir,
      ...SOURCES[source](server.address().port),
      '--timeout',
      timeoutMs,
      '--format',
      'json',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let peak = 0;
  let reportAt = null;
  let killed = false;
  child.stdout.on('data', () => {
    reportAt = performance.now();
  });
  const started = performance.now();
  const poll = setInterval(() => {
    peak = Math.max(peak, hwmKb(child.pid));
    if (peak > KILL_RSS_KB || performance.now() - started > KILL_MS) {
      killed = true;
      child.kill('SIGKILL');
    }
  }, 50);
  const code = await new Promise((r) => child.on('exit', (c) => r(c)));
  const exitAt = performance.now();
  clearInterval(poll);
  for (const s of sockets) s.destroy();
  server.close();
  const since = (t) => (t === null || firstAt === null ? '–' : `${((t - firstAt) / 1000).toFixed(1)} s`);
  return {
    source,
    fault,
    exit: killed ? 'killed' : code,
    peakRssMb: Math.round(peak / 1024),
    report: since(reportAt),
    exited: since(exitAt),
  };
}

console.log(`bin ${bin}, --timeout ${timeoutMs}\n`);
console.log('| source | fault | exit | peak RSS | report written | process exited |');
console.log('|---|---|---|---:|---:|---:|');
for (const source of Object.keys(SOURCES)) {
  for (const fault of Object.keys(FAULTS)) {
    const r = await row(source, fault);
    console.log(`| ${r.source} | ${r.fault} | ${r.exit} | ${r.peakRssMb} MB | ${r.report} | ${r.exited} |`);
  }
}
