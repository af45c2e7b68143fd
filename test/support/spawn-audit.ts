import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const TIME = '/usr/bin/time';

export interface AuditRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr without the peak-RSS line of /usr/bin/time. */
  stderr: string;
  wallMs: number;
  /** From the last byte of stdout (the report) to the exit of the process. */
  afterReportMs: number;
  /** Peak resident set size of the CLI process, in KiB. */
  peakRssKiB: number;
}

/**
 * Runs `bin/strisk.js` (build first) with `args` and measures it from outside: wall time, the
 * time between the report and the exit, and the peak RSS (GNU time's %M where installed, else
 * VmHWM sampled from /proc every 20 ms: a high-water mark, so only the last 20 ms can escape it).
 */
export function spawnAudit(args: string[], opts: { env?: NodeJS.ProcessEnv; killAfterMs?: number } = {}) {
  const cli = [process.execPath, resolve(ROOT, 'bin/strisk.js'), ...args];
  const timed = existsSync(TIME);
  const [cmd, ...argv] = timed ? [TIME, '-f', 'STRISK_PEAK_RSS_KIB=%M', ...cli] : cli;
  const started = performance.now();
  // Its own process group, so a run that overstays is killed with GNU time's child, not without it.
  const child = spawn(cmd!, argv, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? { PATH: process.env.PATH ?? '' },
  });
  let stdout = '';
  let stderr = '';
  let lastOut = started;
  let sampled = 0;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    lastOut = performance.now();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const poll = timed
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) sampled = Math.max(sampled, Number(m[1]));
        } catch {
          // exited
        }
      }, 20);
  const killer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, opts.killAfterMs ?? 60_000);
  return new Promise<AuditRun>((resolveRun) => {
    child.on('close', (code, signal) => {
      const ended = performance.now();
      clearInterval(poll);
      clearTimeout(killer);
      const m = /^STRISK_PEAK_RSS_KIB=(\d+)\n?/m.exec(stderr);
      resolveRun({
        // GNU time exits with its child's code.
        code,
        signal,
        stdout,
        stderr: stderr
          .replace(/^Command exited with non-zero status \d+\n/m, '')
          .replace(/^STRISK_PEAK_RSS_KIB=\d+\n?/m, ''),
        wallMs: ended - started,
        afterReportMs: ended - lastOut,
        peakRssKiB: m ? Number(m[1]) : sampled,
      });
    });
  });
}
