import type { Duplex } from 'node:stream';

const MIB = 1024 * 1024;

/** The connection sent more than strisk reads from it in one run: a hostile or broken server. */
export class ResponseTooLargeError extends Error {
  readonly code = 'ERESPONSETOOLARGE';
  constructor(readonly maxBytes: number) {
    super(`response larger than ${maxBytes / MIB} MiB: strisk closed the connection`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * Counts the bytes one connection receives and destroys its stream past `maxBytes`, so a server
 * that streams without end costs at most the cap in memory, not whatever arrives before the
 * deadline. The cap counts the whole connection (handshake and every reply), which is simple to
 * reason about: strisk sends a fixed number of bounded queries per target.
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
      if (this.error) return;
      this.received += chunk.length;
      if (this.received > this.maxBytes) {
        this.error = new ResponseTooLargeError(this.maxBytes);
        stream.destroy(this.error);
      }
    });
  }

  /** Destroys every watched stream: at the deadline nothing of this connection may outlive the run. */
  destroy(): void {
    for (const s of this.streams) s.destroy();
  }
}
