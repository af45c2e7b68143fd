#!/usr/bin/env node
// The whole compose audit against the number of services (run by hand after `npm run build`):
// generated stacks of 250 to 4,000 services (apps with a Dockerfile-less image and a uvicorn
// command, each depending on its own PostgreSQL and Redis, environment with interpolated and
// unresolved variables, an x- anchor merged in), audited in-process with every compose/* check,
// `rounds` times, sizes interleaved. Prints the median ms per service as a ratio to the smallest
// stack of the same run: a linear audit keeps it near 1, a check that scans the project once per
// service grows with the size (the 5,000-service file once took 61-86 s for that reason).
// Exits 1 when the largest stack's ratio is over --max-ratio (default 3; quadratic at 16 × the
// services would be ~16).
//   npm run build && node bench/compose-audit.mjs [rounds] [--max-ratio R]
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.STRISK_DIST ?? new URL('../dist', import.meta.url).pathname;
const { audit } = await import(pathToFileURL(`${dist}/cli/audit.js`).href);

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(/^\d+$/.test(process.argv[2] ?? '') ? process.argv[2] : 3);
const maxRatio = Number(arg('--max-ratio') ?? 3);
const SIZES = [250, 1000, 4000];

/** A stack of `n` services: a third apps, a third PostgreSQL, a third Redis, wired in triples. */
function stack(n) {
  const out = ['x-common: &common\n  restart: unless-stopped\n  logging: { driver: json-file }\nservices:\n'];
  for (let i = 0; i < n / 3; i++) {
    out.push(
      `  app${i}:\n    <<: *common\n    image: "registry.example.com/app${i}:\${TAG:-1.0}"\n` +
        `    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--workers", "4"]\n` +
        `    environment:\n      DATABASE_URL: postgresql://app:\${DB_PASSWORD}@db${i}:5432/app\n` +
        `      REDIS_URL: redis://cache${i}:6379/0\n      FEATURE: \${FEATURE_${i % 50}}\n` +
        `    ports:\n      - "${8000 + (i % 1000)}:8000"\n` +
        `    depends_on:\n      db${i}:\n        condition: service_healthy\n      cache${i}:\n        condition: service_started\n` +
        `    deploy:\n      resources:\n        limits: { cpus: '2', memory: 1g }\n`,
      `  db${i}:\n    <<: *common\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: \${DB_PASSWORD}\n` +
        `    volumes:\n      - db${i}:/var/lib/postgresql/data\n` +
        `    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n      interval: 5s\n`,
      `  cache${i}:\n    <<: *common\n    image: redis:7-alpine\n    command: ["redis-server", "--maxmemory", "256mb"]\n`,
    );
  }
  out.push('volumes:\n');
  for (let i = 0; i < n / 3; i++) out.push(`  db${i}: {}\n`);
  return out.join('');
}

const root = mkdtempSync(join(tmpdir(), 'strisk-bench-compose-audit-'));
const loadBefore = loadavg()[0];
try {
  const dirs = SIZES.map((n) => {
    const dir = join(root, String(n));
    mkdirSync(dir);
    writeFileSync(join(dir, 'compose.yaml'), stack(n));
    return dir;
  });
  const env = { TAG: '2.0', DB_PASSWORD: 'secret', STRISK_MAX_FILE_SIZE: '64MiB' };
  let checks = 0;
  const once = async (dir) => {
    let out = '';
    const t = performance.now();
    const code = await audit(
      dir,
      { format: ['json'], only: ['compose/*'], profile: [], compose: [], dockerfile: [], skip: [] },
      { env, stdout: (s) => (out += s), isTTY: false },
    );
    const ms = performance.now() - t;
    if (code !== 0 && code !== 1) throw new Error(`audit of ${dir} exited ${code}`);
    checks = JSON.parse(out).results.length;
    return ms;
  };
  await once(dirs[0]); // warm-up, not counted
  const times = SIZES.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < SIZES.length; i++) {
      const k = r % 2 === 0 ? i : SIZES.length - 1 - i;
      times[k].push(await once(dirs[k]));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const perService = SIZES.map((n, i) => median(times[i]) / n);
  console.log('| services | median ms | ms per service | × per service of the smallest |');
  console.log('|---:|---:|---:|---:|');
  for (const [i, n] of SIZES.entries()) {
    console.log(
      `| ${n} | ${median(times[i]).toFixed(0)} | ${perService[i].toFixed(3)} | ${(perService[i] / perService[0]).toFixed(2)} |`,
    );
  }
  const ratio = perService.at(-1) / perService[0];
  console.log(
    `\n${checks} compose checks; ${rounds} rounds, sizes interleaved, medians; node ${process.version}; ` +
      `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after; ${new Date().toISOString()}`,
  );
  if (ratio > maxRatio) {
    console.log(
      `\nOVER: ${SIZES.at(-1)} services cost ${ratio.toFixed(2)} × per service (limit ${maxRatio})`,
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
