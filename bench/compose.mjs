#!/usr/bin/env node
// Compose parsing against file size (run by hand after `npm run build`): generated compose files
// of 1 to 20 MB (services with image, command, environment, ports, labels, limits, an x- anchor
// merged into each), each read by the compose collector (read, parse, interpolate, normalise),
// `rounds` times, interleaved. Prints ms per MB as a ratio to the 1 MB case of the same run: a
// linear parser keeps the ratio near 1. Then the cause of the old quadratic time, measured in the
// same run: yaml's own duplicate-key check (`uniqueKeys`) on one map of 5,000 to 40,000 keys.
//   node bench/compose.mjs [rounds] [--no-cause]
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { collectCompose } from '../dist/collectors/compose/index.js';

const rounds = Number(process.argv[2] ?? 3);
const showCause = !process.argv.includes('--no-cause');
const SIZES_MB = [1, 2, 5, 10, 20];

function composeText(mb) {
  const parts = [
    'x-common: &common\n  restart: unless-stopped\n  logging: { driver: json-file }\nservices:\n',
  ];
  let size = parts[0].length;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    const s =
      `  svc${i}:\n    <<: *common\n    image: "registry.example.com/app${i}:\${TAG:-1.0}"\n` +
      `    command: ["uvicorn", "app:app", "--workers", "4"]\n    environment:\n      LOG_LEVEL: info\n` +
      `      DATABASE_URL: postgresql://app:\${DB_PASSWORD}@db:5432/app${i}\n    mem_limit: 512m\n` +
      `    ports:\n      - "${8000 + (i % 1000)}:8000"\n    labels:\n      com.example.id: "${i}"\n`;
    parts.push(s);
    size += s.length;
  }
  return parts.join('');
}

const dir = mkdtempSync(join(tmpdir(), 'strisk-bench-compose-'));
const env = { STRISK_MAX_FILE_SIZE: '64MiB', TAG: '2.0', DB_PASSWORD: 'secret' };
try {
  const files = SIZES_MB.map((mb) => {
    writeFileSync(join(dir, `${mb}.yaml`), composeText(mb));
    return { mb, file: join(dir, `${mb}.yaml`), bytes: statSync(join(dir, `${mb}.yaml`)).size };
  });
  // One untimed read first: JIT warm-up would otherwise be charged to the 1 MB case.
  await collectCompose({ projectDir: dir, files: [files[0].file], env });
  const samples = new Map(files.map((f) => [f.mb, []]));
  const services = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const f of files) {
      const t = performance.now();
      const [target] = await collectCompose({ projectDir: dir, files: [f.file], env });
      samples.get(f.mb).push(performance.now() - t);
      services.set(f.mb, target.data.services.length);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const perMb = (f) => median(samples.get(f.mb)) / (f.bytes / 2 ** 20);
  const base = perMb(files[0]);
  console.log('| file | services | median ms | ms per MiB | × 1 MB case |\n|---:|---:|---:|---:|---:|');
  for (const f of files) {
    const ms = median(samples.get(f.mb));
    console.log(
      `| ${(f.bytes / 2 ** 20).toFixed(1)} MiB | ${services.get(f.mb)} | ${ms.toFixed(0)} | ${perMb(f).toFixed(0)} | ${(perMb(f) / base).toFixed(2)} |`,
    );
  }

  if (showCause) {
    // The cause, measured on one map of many keys (where a pairwise check hurts most): yaml with its
    // own duplicate-key check (uniqueKeys: true, the old setting) and without (ours is in Walker.map).
    console.log(
      '\n| keys in one map | yaml uniqueKeys: true | uniqueKeys: false | ratio |\n|---:|---:|---:|---:|',
    );
    for (const keys of [5000, 10000, 20000, 40000]) {
      const text = `services:\n${Array.from({ length: keys }, (_, i) => `  s${i}: { image: a }`).join('\n')}\n`;
      const time = (uniqueKeys) => {
        const t = performance.now();
        parseAllDocuments(text, { merge: true, uniqueKeys });
        return performance.now() - t;
      };
      const off = time(false);
      const on = time(true);
      console.log(`| ${keys} | ${on.toFixed(0)} ms | ${off.toFixed(0)} ms | ${(on / off).toFixed(1)} |`);
    }
  }
  console.log(`\n${rounds} rounds, interleaved; node ${process.version}; ${new Date().toISOString()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
