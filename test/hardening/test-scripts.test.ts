import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmp } from './cli.js';

// The test command itself (issue 11, item 12), run on a copy whose services are stand-ins: it never
// touches the real test servers. STRISK_SERVICES_DIR always points into the test's own directory.

/** Running: exists and is not a zombie waiting for a parent that exited to be reaped. */
const isAlive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
};

describe('scripts/test.sh', () => {
  it('stops the services that did start, and removes their state, when another fails to start', () => {
    const sb = tmp('strisk-sandbox-');
    mkdirSync(join(sb, 'scripts/services'), { recursive: true });
    for (const f of ['test.sh', 'test-services.sh'])
      copyFileSync(join(ROOT, 'scripts', f), join(sb, 'scripts', f));
    writeFileSync(
      join(sb, 'package.json'),
      '{"name":"sandbox","version":"0.0.0","scripts":{"build":"true"}}',
    );
    // chdb present (nothing to install), and a vitest that only says it ran.
    mkdirSync(join(sb, 'node_modules/chdb'), { recursive: true });
    writeFileSync(
      join(sb, 'node_modules/chdb/package.json'),
      '{"name":"chdb","version":"0.0.0","main":"i.js"}',
    );
    writeFileSync(join(sb, 'node_modules/chdb/i.js'), '');
    mkdirSync(join(sb, 'node_modules/.bin'));
    writeFileSync(join(sb, 'node_modules/.bin/vitest'), '#!/bin/sh\necho vitest ran\n');
    chmodSync(join(sb, 'node_modules/.bin/vitest'), 0o755);
    // aaa starts a process and records its address; zzz leaves a state dir and fails.
    writeFileSync(
      join(sb, 'scripts/services/aaa.sh'),
      [
        'aaa_start() { mkdir -p "$STRISK_SERVICES_DIR/aaa"; sleep 120 </dev/null >/dev/null 2>&1 & echo $! >"$STRISK_SERVICES_DIR/aaa/pid"; echo $! >"$PID_OUT"; record AAA up; }',
        'aaa_stop() { local d="$STRISK_SERVICES_DIR/aaa"; [ -f "$d/pid" ] && kill "$(cat "$d/pid")" 2>/dev/null; rm -rf "$d"; }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(sb, 'scripts/services/zzz.sh'),
      'zzz_start() { mkdir -p "$STRISK_SERVICES_DIR/zzz"; return 1; }\nzzz_stop() { rm -rf "$STRISK_SERVICES_DIR/zzz"; }\n',
    );
    const services = join(sb, '.tmp/services');
    const pidOut = join(sb, 'aaa.pid');
    const r = spawnSync('bash', [join(sb, 'scripts/test.sh')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: sb, STRISK_SERVICES_DIR: services, PID_OUT: pidOut },
      // stdin not a socket: bash would take itself for a remote shell and read ~/.bashrc.
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    expect(r.stderr).toMatch(/starting zzz/);
    expect(r.stdout).not.toMatch(/vitest ran/);
    expect(r.status).not.toBe(0);
    const pid = Number(spawnSync('cat', [pidOut], { encoding: 'utf8' }).stdout);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(services)).toBe(false);
  });
});

describe('redis_stop', () => {
  it('waits for a server that removes its pid file as soon as it is told to stop', () => {
    const dir = tmp('strisk-redis-stop-');
    const services = join(dir, 'services');
    const pidOut = join(dir, 'fake.pid');
    // wait_for as scripts/test-services.sh defines it; `kill` gives the server the few
    // milliseconds Redis takes to remove its pid file before the next command runs.
    const harness = `
set -euo pipefail
log() { printf '%s\\n' "$*" >&2; }
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then log "$what did not stop within \${secs}s"; return 1; fi
    sleep 0.2
  done
}
source "${join(ROOT, 'scripts/services/redis.sh')}"
kill() { builtin kill "$@"; local r=$?; sleep 0.3; return $r; }
d="$STRISK_SERVICES_DIR/redis/$REDIS_GOOD_PORT"
mkdir -p "$d"
# Like redis-server: on SIGTERM it removes its pid file first, then takes a while to exit.
bash -c 'trap "rm -f \\"$0\\"; kill \\$s; sleep 1.5; exit 0" TERM; sleep 60 & s=$!; wait $s' "$d/redis.pid" </dev/null >/dev/null 2>&1 &
echo $! >"$d/redis.pid"
echo $! >"$PID_OUT"
sleep 0.3
redis_stop
`;
    const r = spawnSync('bash', ['-c', harness], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir, STRISK_SERVICES_DIR: services, PID_OUT: pidOut },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const pid = Number(spawnSync('cat', [pidOut], { encoding: 'utf8' }).stdout);
    expect(pid).toBeGreaterThan(0);
    // Stopped when redis_stop returned, not later.
    const alive = isAlive(pid);
    if (alive) process.kill(pid, 'SIGKILL');
    expect(alive).toBe(false);
    expect(readdirSync(join(services, 'redis'))).toEqual([]);
  });
});
