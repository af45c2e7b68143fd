import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SocketBounds, untilDeadline, WaitError } from '../../src/collectors/socket-bounds.js';

// The time bounds of the TCP collectors (Redis, PostgreSQL, PgBouncer), against real sockets on
// 127.0.0.1: the idle wait blames a silent server and only a silent server, the deadline ends
// everything, and local work (a blocked event loop, a handshake step computed here) is never
// the server's silence.
const IDLE_MS = 300;

const servers: Server[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  for (const c of children) c.kill();
});

/** An echo server in another process: it answers while this one is blocked. */
async function serveElsewhere(): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').createServer((c) => { c.on('error', () => {}); c.on('data', (d) => c.write('re:' + d)); });
       s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
  );
}

async function serve(onData: (socket: Socket, chunk: Buffer) => void): Promise<number> {
  const server = createServer((s) => {
    s.on('error', () => {});
    s.on('data', (c) => onData(s, c));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** Connects under `bounds`; `ask` writes one request and resolves with the first answer. */
async function open(
  port: number,
  bounds: SocketBounds,
): Promise<{ socket: Socket; ask(text: string): Promise<string> }> {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  bounds.watch(socket);
  await bounds.request(() => new Promise((r) => socket.once('connect', r)));
  return {
    socket,
    ask: (text) =>
      bounds.request(
        () =>
          new Promise<string>((resolve, reject) => {
            socket.once('data', (c) => resolve(c.toString()));
            socket.once('close', () => reject(new Error('closed')));
            socket.write(text);
          }),
      ),
  };
}

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // this process is busy: the server's answer waits in the socket
  }
}

describe('SocketBounds', () => {
  it('a fast server is not blamed when this process is blocked past the idle wait', async () => {
    const port = await serveElsewhere();
    const bounds = new SocketBounds(IDLE_MS, new AbortController().signal);
    const { socket, ask } = await open(port, bounds);
    const answer = ask('ping');
    // The server answers within milliseconds; this process reads it only after 3 idle waits.
    blockFor(IDLE_MS * 3);
    await expect(answer).resolves.toBe('re:ping');
    expect(bounds.error).toBeUndefined();
    bounds.close();
    expect(socket.destroyed).toBe(true);
  });

  it('a silent server is dropped after the idle wait, named, and its socket destroyed', async () => {
    const port = await serve(() => {});
    const bounds = new SocketBounds(IDLE_MS, new AbortController().signal);
    const { socket, ask } = await open(port, bounds);
    const started = performance.now();
    const err = await ask('ping').catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(err).toBeInstanceOf(WaitError);
    expect(err).toMatchObject({
      kind: 'idle',
      code: 'ETIMEDOUT',
      message: `no answer from the server for ${IDLE_MS} ms`,
    });
    expect(took).toBeGreaterThanOrEqual(IDLE_MS - 5);
    expect(socket.destroyed).toBe(true);
  });

  it('no idle wait runs between requests: a pause of this side is not the server silence', async () => {
    const port = await serve((s, c) => s.write(`re:${c}`));
    const bounds = new SocketBounds(IDLE_MS, new AbortController().signal);
    const { ask } = await open(port, bounds);
    await expect(ask('a')).resolves.toBe('re:a');
    await new Promise((r) => setTimeout(r, IDLE_MS * 3));
    await expect(ask('b')).resolves.toBe('re:b');
    bounds.close();
  });

  it('while the server waits on this side (ourTurn), slow local work is not its silence', async () => {
    // A handshake: the server sends a challenge, this side computes slowly, then answers it.
    const port = await serve((s, c) => s.write(String(c) === 'hello' ? 'challenge' : 'welcome'));
    const bounds = new SocketBounds(IDLE_MS, new AbortController().signal);
    const { socket } = await open(port, bounds);
    const done = bounds.request(
      () =>
        new Promise<string>((resolve) => {
          socket.once('data', () => {
            bounds.ourTurn();
            setTimeout(() => {
              socket.once('data', (c) => resolve(String(c)));
              socket.write('proof');
            }, IDLE_MS * 3);
          });
          socket.write('hello');
        }),
    );
    await expect(done).resolves.toBe('welcome');
    bounds.close();
  });

  it('a server that keeps dripping is never idle, and is cut at the deadline with everything', async () => {
    const port = await serve((s) => {
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write('.')), IDLE_MS / 4);
      s.on('close', () => clearInterval(timer));
    });
    const controller = new AbortController();
    const bounds = new SocketBounds(IDLE_MS, controller.signal);
    const { socket } = await open(port, bounds);
    const endless = bounds.request(
      () =>
        new Promise<never>((_, reject) => {
          socket.on('close', () => reject(new Error('closed')));
          socket.write('go');
        }),
    );
    setTimeout(() => controller.abort(new Error('no complete answer within 1200 ms')), IDLE_MS * 4);
    const started = performance.now();
    const all = untilDeadline(controller.signal, () => endless);
    await expect(endless).rejects.toMatchObject({
      kind: 'deadline',
      message: 'no complete answer within 1200 ms',
    });
    await expect(all).rejects.toBeInstanceOf(WaitError);
    // Several idle waits long: the drip kept it alive until the deadline, not a moment more.
    expect(performance.now() - started).toBeGreaterThanOrEqual(IDLE_MS * 3);
    expect(socket.destroyed).toBe(true);
  });
});
