// The time bounds of a collector that speaks its own protocol over TCP (Redis, PostgreSQL,
// PgBouncer), with the meaning `bounded-request.ts` gives them over HTTP: `--timeout` is the
// longest a request may wait with nothing arriving from the server, and the source's overall
// deadline (`ctx.signal`) ends everything at once. Local work never counts as the server's.
import type { Duplex } from 'node:stream';
import { sourceDeadlineMs } from './types.js';

/** A wait on the server that ended the connection: silent too long, or past the source deadline. */
export class WaitError extends Error {
  /** Classified as a timeout, like a socket's own ETIMEDOUT. */
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly kind: 'idle' | 'deadline',
    message: string,
  ) {
    super(message);
    this.name = 'WaitError';
  }
}

function deadlineError(signal: AbortSignal): WaitError {
  const reason = signal.reason;
  return new WaitError(
    'deadline',
    reason instanceof Error ? reason.message : String(reason ?? 'the source deadline passed'),
  );
}

/** The collector's deadline signal: the one `collectTarget` gives, or its own when called directly. */
export function deadlineSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  if (signal) return signal;
  const ms = sourceDeadlineMs(timeoutMs);
  const own = new AbortController();
  const timer = setTimeout(
    () =>
      own.abort(new Error(`no complete answer within ${ms} ms (the deadline for --timeout ${timeoutMs} ms)`)),
    ms,
  );
  // A collection that ends early must not keep the process alive for the rest of the deadline.
  timer.unref();
  return own.signal;
}

/**
 * Runs a whole collection against the deadline: rejects with a `WaitError` as soon as `signal`
 * aborts, whatever `work` is doing (waiting on a server, or between two requests).
 */
export async function untilDeadline<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  if (signal.aborted) throw deadlineError(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(deadlineError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/**
 * The bounds of one connection (its socket, and the TLS stream that may replace it). While at
 * least one request is outstanding (`request()`), a server that sends nothing for `idleMs` gets
 * the connection destroyed and the requests fail with a `WaitError` naming the wait; when
 * `signal` aborts, the connection is destroyed at once.
 *
 * The idle timer measures the server, not this process: when it fires, the decision waits for one
 * turn of the event loop, so bytes a starved process has not read yet count as activity first.
 */
export class SocketBounds {
  /** The bound that ended the connection, if one did. */
  error: WaitError | undefined;
  private readonly streams = new Set<Duplex>();
  private lastActivity = performance.now();
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped on every arming, so a stale timer's deferred check does nothing. */
  private generation = 0;
  private readonly failed: Promise<never>;
  private reject!: (err: Error) => void;

  constructor(
    readonly idleMs: number,
    private readonly signal: AbortSignal,
  ) {
    this.failed = new Promise<never>((_, reject) => {
      this.reject = reject;
    });
    // Observed by the requests that race it; none may be waiting when it trips.
    this.failed.catch(() => {});
    if (signal.aborted) this.trip(deadlineError(signal));
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The server waits on this side (`ourTurn()`) until it next writes. */
  private ours = false;

  private readonly touch = () => {
    this.lastActivity = performance.now();
  };

  private readonly wrote = () => {
    this.ours = false;
    this.touch();
  };

  /**
   * The server now waits on this side: a handshake step computed here (SCRAM's key derivation,
   * slow on a starved machine). The idle wait is paused until this side writes its answer; the
   * source deadline still holds.
   */
  ourTurn(): void {
    this.ours = true;
  }

  private readonly onAbort = () => this.trip(deadlineError(this.signal));

  /**
   * Counts what `stream` receives as the server's activity, and what this side writes to it as a
   * fresh start of the wait (the server cannot answer what it has not been sent: a handshake step
   * computed slowly here, such as SCRAM's key derivation on a starved machine, is not the server's
   * silence). The stream is destroyed with the connection.
   */
  watch(stream: Duplex): void {
    this.streams.add(stream);
    // Neither net.Socket nor tls.TLSSocket tells when something is written: the stream's own
    // write hooks are wrapped (not `write`, which net.Socket resets when it connects).
    const hooks = stream as unknown as Record<'_write' | '_writev', unknown>;
    const wrote = this.wrote;
    for (const hook of ['_write', '_writev'] as const) {
      const original = hooks[hook];
      if (typeof original !== 'function') continue;
      hooks[hook] = function (this: Duplex, ...args: unknown[]) {
        wrote();
        return original.apply(this, args);
      };
    }
    stream.on('data', this.touch);
    stream.once('connect', this.touch);
    stream.once('secureConnect', this.touch);
    if (this.error) stream.destroy();
  }

  /**
   * One request to the server (a connect, a query, a pipeline): the idle timer runs while it is
   * outstanding, and it rejects with the bound's error as soon as one trips.
   */
  async request<T>(work: () => Promise<T>): Promise<T> {
    if (this.error) throw this.error;
    if (this.pending++ === 0) {
      // The wait starts now: time this process spent before sending is not the server's.
      this.touch();
      this.arm(this.idleMs);
    }
    try {
      return await Promise.race([work(), this.failed]);
    } finally {
      if (--this.pending === 0) {
        this.ours = false;
        clearTimeout(this.timer);
        this.generation++;
      }
    }
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    const generation = ++this.generation;
    this.timer = setTimeout(() => {
      // Let the poll phase deliver what is already in the socket before judging the server.
      setImmediate(() => {
        if (generation !== this.generation || this.pending === 0 || this.error) return;
        if (this.ours) {
          this.arm(this.idleMs);
          return;
        }
        const quiet = performance.now() - this.lastActivity;
        if (quiet >= this.idleMs) {
          this.trip(new WaitError('idle', `no answer from the server for ${this.idleMs} ms`));
        } else this.arm(this.idleMs - quiet);
      });
    }, ms);
  }

  private trip(err: WaitError): void {
    if (this.error) return;
    this.error = err;
    this.reject(err);
    this.close();
  }

  /** Destroys the connection and stops the timers: nothing of it may outlive the run. */
  close(): void {
    clearTimeout(this.timer);
    this.generation++;
    this.signal.removeEventListener('abort', this.onAbort);
    for (const s of this.streams) s.destroy();
  }
}
