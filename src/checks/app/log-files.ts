import { z } from 'zod';
import type { Value } from '../../collectors/app/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { appTargets, at, guarded } from '../../facts/app.js';

const HANDLERS = /(^|\.)(FileHandler|RotatingFileHandler|TimedRotatingFileHandler|WatchedFileHandler)$/;
const WHEN_DAYS: Record<string, number> = { S: 1 / 86400, M: 1 / 1440, H: 1 / 24, D: 1, MIDNIGHT: 1 };

interface Handler {
  file: string;
  line: number;
  kind: string;
  args: Record<string, Value | undefined>;
}

function judge(
  h: Handler,
  maxBytes: number,
  maxDays: number,
): Pick<Evidence, 'observed' | 'expected' | 'status' | 'note'> {
  const num = (k: string, d: number) =>
    typeof h.args[k]?.value === 'number' ? (h.args[k]!.value as number) : h.args[k] ? Number.NaN : d;
  const expected = `rotation ≤ ${maxBytes / 1024 ** 2} MB, ≤ ${maxDays} days kept`;
  if (h.kind === 'FileHandler') return { observed: 'FileHandler (never rotates)', expected, status: 'fail' };
  if (h.kind === 'WatchedFileHandler')
    return {
      observed: 'WatchedFileHandler',
      expected,
      status: 'warn',
      note: 'relies on an external logrotate',
    };
  const backups = num('backupCount', 0);
  if (h.kind === 'RotatingFileHandler') {
    const size = num('maxBytes', 0);
    const ok = size > 0 && size <= maxBytes && backups > 0;
    return {
      observed: `maxBytes=${h.args.maxBytes?.text ?? 0}, backupCount=${h.args.backupCount?.text ?? 0}`,
      expected,
      status: Number.isNaN(size + backups) ? 'warn' : ok ? 'pass' : 'fail',
      note:
        size === 0 || backups === 0
          ? 'maxBytes or backupCount 0: never rolls over'
          : 'size-based: age of kept files not bounded',
    };
  }
  const when = String(h.args.when?.value ?? 'h').toUpperCase();
  const unit = when.startsWith('W') ? 7 : WHEN_DAYS[when];
  const days = unit === undefined ? Number.NaN : unit * num('interval', 1) * backups;
  const status = Number.isNaN(days) ? 'warn' : backups === 0 ? 'fail' : days <= maxDays ? 'pass' : 'fail';
  return {
    observed: `when=${when}, interval=${h.args.interval?.text ?? 1}, backupCount=${backups}`,
    expected,
    status,
    note: backups === 0 ? 'backupCount 0 keeps every file forever' : `keeps ~${Number(days.toFixed(2))} days`,
  };
}

export default defineCheck({
  id: 'app/log-files',
  title: 'Application log files rotate',
  failureTitle: 'Application log files do not rotate within bounds',
  description:
    "The checklist (5.2) keeps application logs at 100 MB and 7 days. That is the app's own log files, " +
    "not the container's stdout (10 MB × 3, `compose/log-rotation`). Judges every file handler in code or " +
    '`dictConfig`: `FileHandler` never rotates (fail), `RotatingFileHandler` needs 0 < maxBytes ≤ 100 MB and ' +
    'backupCount > 0 (with either 0 it never rolls over), `TimedRotatingFileHandler` keeps interval × ' +
    'backupCount ≤ 7 days. No file handler (logs to stdout) passes. ' +
    'See https://docs.python.org/3/library/logging.handlers.html#rotatingfilehandler',
  seedRef: '5.2',
  severity: 'low',
  kind: 'auto',
  requires: ['app'],
  options: z.object({
    maxBytes: z
      .number()
      .positive()
      .default(100 * 1024 ** 2),
    maxDays: z.number().positive().default(7),
  }),
  run(input, options) {
    const apps = appTargets(input);
    const handlers: Handler[] = [];
    for (const { data } of apps) {
      for (const c of data.calls) {
        const m = HANDLERS.exec(c.qualified);
        if (m && c.qualified.startsWith('logging.')) {
          const names =
            m[2] === 'TimedRotatingFileHandler'
              ? ['filename', 'when', 'interval', 'backupCount']
              : ['filename', 'mode', 'maxBytes', 'backupCount'];
          const args: Record<string, Value | undefined> = { ...c.args };
          c.positional.forEach((v, i) => {
            if (names[i]) args[names[i]!] ??= v;
          });
          handlers.push({ file: c.file, line: c.line, kind: m[2]!, args });
        }
        if (c.qualified === 'logging.basicConfig' && c.args.filename)
          handlers.push({ file: c.file, line: c.line, kind: 'FileHandler', args: {} });
      }
      for (const d of data.loggingDicts) {
        for (const [k, v] of Object.entries(d.entries)) {
          const m = /^handlers\.([^.]+)\.class$/.exec(k);
          const kind = typeof v.value === 'string' ? HANDLERS.exec(v.value)?.[2] : undefined;
          if (!m || !kind) continue;
          const args = Object.fromEntries(
            Object.entries(d.entries)
              .filter(([key]) => key.startsWith(`handlers.${m[1]}.`))
              .map(([key, val]) => [key.split('.').at(-1)!, val]),
          );
          handlers.push({ file: d.file, line: d.line, kind, args });
        }
      }
    }
    const evidence = handlers.map((h) => ({ ...at(h), ...judge(h, options.maxBytes, options.maxDays) }));
    const status = worstStatus(evidence);
    return guarded(apps, {
      status,
      message:
        evidence.length === 0
          ? 'no log file handler: logs go to stdout/stderr'
          : status === 'pass'
            ? 'log files rotate within bounds'
            : 'log files do not rotate within bounds',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Rotate log files by size and age',
              change:
                'from logging.handlers import TimedRotatingFileHandler\nTimedRotatingFileHandler("/var/log/app/app.log", when="midnight", backupCount=7)\n# or RotatingFileHandler(path, maxBytes=100 * 1024 * 1024, backupCount=3)',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
