// Hostile servers for the fault matrix: a raw TCP server on 127.0.0.1 that misbehaves in one way.
// The faults are byte-level, so a protocol's tests supply only what a valid answer starts with
// (`httpFault` does it for HTTP); the rest (never answering, garbage, a cut, a drip, an endless
// stream, an endless header) is the same for every protocol.
import { createServer, type Server, type Socket } from 'node:net';

export const FAULTS = [
  'tarpit',
  'garbage',
  'close-mid-response',
  'drip',
  'endless-body',
  'huge-header',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface HostileBehaviour {
  /** Accept and read, never write. */
  silent?: boolean;
  /** Written once the client has sent something (or at once with `speakFirst`). */
  prefix?: Buffer;
  /** After the prefix: written forever, as fast as the client reads (backpressure respected). */
  endless?: Buffer;
  /** After the prefix: these bytes one at a time, every `dripMs`, forever (cycled). */
  drip?: { bytes: Buffer; everyMs: number };
  /** After the prefix (and no endless/drip): close the connection (a FIN after the bytes sent). */
  close?: boolean;
  /** Write the prefix on connect instead of waiting for the client. */
  speakFirst?: boolean;
}

export interface HostileServer {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** `performance.timeOrigin + performance.now()` of the first connection, or null. */
  firstConnectionAt: number | null;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

/** Bytes that are no protocol's answer: NULs, high bytes, no line structure. */
export const GARBAGE = Buffer.from(
  Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256).map((b) => (b === 10 || b === 13 ? 0 : b)),
);

function behave(socket: Socket, b: HostileBehaviour, timers: Set<NodeJS.Timeout>): void {
  if (b.prefix) socket.write(b.prefix);
  if (b.endless) {
    const chunk = b.endless;
    const pump = () => {
      while (!socket.destroyed && socket.write(chunk)) {
        // keep writing until the kernel buffer is full, then wait for `drain`
      }
    };
    socket.on('drain', pump);
    pump();
    return;
  }
  if (b.drip) {
    const { bytes, everyMs } = b.drip;
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      socket.write(bytes.subarray(i % bytes.length, (i % bytes.length) + 1));
      i++;
    }, everyMs);
    timers.add(timer);
    return;
  }
  if (b.close) socket.end();
}

/** Starts a server with one behaviour for every connection. */
export async function hostileServer(b: HostileBehaviour): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state: HostileServer = {
    port: 0,
    connections: 0,
    firstConnectionAt: null,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((socket) => {
    state.connections++;
    state.firstConnectionAt ??= now();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (b.silent) {
      socket.resume();
      return;
    }
    if (b.speakFirst) behave(socket, b, timers);
    else socket.once('data', () => behave(socket, b, timers));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  return state;
}

/** A valid HTTP/1.1 response head. */
export function httpHead(extra: Record<string, string> = {}): string {
  const lines = Object.entries({ 'Content-Type': 'application/json', ...extra }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  return `HTTP/1.1 200 OK\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** Each fault spoken in HTTP/1.1: what a client that sent a request gets back. */
export function httpFault(fault: Fault): HostileBehaviour {
  switch (fault) {
    case 'tarpit':
      return { silent: true };
    case 'garbage':
      return { prefix: GARBAGE, close: true };
    case 'close-mid-response':
      return {
        prefix: Buffer.from(`${httpHead({ 'Content-Length': '100000' })}{"Id":"abc","Names":[`),
        close: true,
      };
    case 'drip':
      // Faster than any idle timeout, so only the overall deadline can end it.
      return {
        prefix: Buffer.from(httpHead({ 'Content-Length': '100000000' })),
        drip: { bytes: Buffer.from('[{"a": 1}, '), everyMs: 200 },
      };
    case 'endless-body':
      return {
        prefix: Buffer.from(`${httpHead({ 'Transfer-Encoding': 'chunked' })}`),
        endless: Buffer.from(
          `10000\r\n${'["endless", '.repeat(0x10000 / 12)}${' '.repeat(0x10000 % 12)}\r\n`,
        ),
      };
    case 'huge-header':
      return {
        prefix: Buffer.from('HTTP/1.1 200 OK\r\nX-Filler: '),
        endless: Buffer.alloc(64 * 1024, 'a'),
      };
  }
}
