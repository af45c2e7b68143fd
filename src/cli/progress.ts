import { formatDuration } from '../core/units.js';
import { terminalSafe } from '../reporters/escape.js';

/** What the collecting step tells about the sources it reads. */
export interface Progress {
  begin(source: string, target: string): void;
  end(source: string, target: string, status: string, message?: string): void;
  /** Clears the status line; the report follows. */
  finish(): void;
}

export const NO_PROGRESS: Progress = { begin() {}, end() {}, finish() {} };

export interface ProgressOptions {
  write: (text: string) => void;
  /** Milliseconds since some fixed point (tests give their own clock). */
  now?: () => number;
  /** How often the elapsed time on the status line is redrawn. */
  tickMs?: number;
  columns?: number;
}

/**
 * Progress for a terminal on stderr: a line per source read (done or failed, how long it took),
 * and a status line rewritten in place with the sources still being read and the time elapsed.
 * Only for a terminal: the caller gives NO_PROGRESS when stderr is a file or a pipe, or with -q.
 */
export function terminalProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const startedAt = new Map<string, number>();
  let done = 0;
  let failed = 0;
  let shown = false;
  const key = (source: string, target: string) => `${source} ${target}`;
  const clear = () => {
    if (shown) opts.write('\r\u001b[2K');
    shown = false;
  };
  const draw = () => {
    const reading = [...startedAt.keys()];
    let line = `strisk: ${reading.length > 0 ? `reading ${reading.join(', ')}` : 'reading done'} · ${done} done${failed ? `, ${failed} failed` : ''} · ${formatDuration(now() - started)}`;
    const width = (opts.columns ?? 80) - 1;
    if ([...line].length > width) line = `${[...line].slice(0, width - 1).join('')}…`;
    clear();
    opts.write(line);
    shown = true;
  };
  const timer = setInterval(draw, opts.tickMs ?? 250);
  timer.unref();
  return {
    begin(source, target) {
      startedAt.set(key(terminalSafe(source), terminalSafe(target)), now());
      draw();
    },
    end(source, target, status, message) {
      const k = key(terminalSafe(source), terminalSafe(target));
      const took = now() - (startedAt.get(k) ?? started);
      startedAt.delete(k);
      const ok = status === 'ok';
      if (ok) done++;
      else failed++;
      clear();
      const why = ok ? '' : `: ${terminalSafe(status)}${message ? ` (${terminalSafe(message)})` : ''}`;
      opts.write(`${ok ? '✔' : '✖'} ${k} ${ok ? 'read' : 'failed'} in ${formatDuration(took)}${why}\n`);
      draw();
    },
    finish() {
      clearInterval(timer);
      clear();
    },
  };
}
