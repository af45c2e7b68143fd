import type { Duplex } from 'node:stream';

const MIB = 1024 * 1024;

/** A server sent more than strisk reads in one answer: a hostile or broken server. */
export class ResponseTooLargeError extends Error {
  readonly code = 'ERESPONSETOOLARGE';
  constructor(what: string) {
    super(`response larger than ${what}: strisk closed the connection`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * Counts the bytes one connection receives for the current response and destroys the connection
 * past `maxBytes`, so a server that streams without end costs at most the cap in memory, not
 * whatever arrives before the deadline. The owner calls `reset()` when a new response starts
 * (before each round trip, or at the protocol's end-of-response message).
 */
export class ReceiveCap {
  received = 0;
  error: ResponseTooLargeError | undefined;
  private readonly streams: Duplex[] = [];

  constructor(readonly maxBytes: number) {}

  /** Counts what `stream` receives from now on (a TLS stream that replaces a plain one is watched too). */
  watch(stream: Duplex): void {
    this.streams.push(stream);
    stream.on('data', (chunk: Buffer | string) => {
      this.received += chunk.length;
      if (this.received > this.maxBytes) this.trip(`${this.maxBytes / MIB} MiB`);
    });
  }

  /** A new response starts: the cap applies to each response, not to the connection's life. */
  reset(): void {
    this.received = 0;
  }

  /** Closes the connection because a response exceeded `what` (a size, a number of rows). */
  trip(what: string): void {
    if (this.error) return;
    this.error = new ResponseTooLargeError(what);
    for (const s of this.streams) s.destroy(this.error);
  }

  /** Destroys every watched stream: at the deadline nothing of this connection may outlive the run. */
  destroy(): void {
    for (const s of this.streams) s.destroy();
  }
}
