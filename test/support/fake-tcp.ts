import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** The ways a hostile or broken server answers, one row of the fault matrix each. */
export const FAULTS = [
  'tarpit',
  'garbage',
  'close-mid-response',
  'drip',
  'endless-body',
  'huge-message',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface FakeServer {
  url(scheme: string, path?: string): string;
  close(): Promise<void>;
}

/** Writes chunks from `next()` as fast as the client reads them, until the socket closes. */
function stream(socket: Socket, next: () => Buffer): void {
  const pump = () => {
    while (!socket.destroyed && socket.write(next()));
  };
  socket.on('drain', pump);
  pump();
}

/** One byte a second of `body`, then nothing; stops when the socket closes. */
function drip(socket: Socket, body: Buffer): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= body.length) clearInterval(timer);
    else socket.write(body.subarray(i, ++i));
  }, 1000);
  socket.on('close', () => clearInterval(timer));
}

async function listen(onConnection: (socket: Socket) => void): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (scheme, path = '') => `${scheme}://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const CHUNK = 64 * 1024;

/**
 * A fake Redis: it answers the client's first command (PING) with the fault. `array-headers` is
 * RESP's own hazard: headers that announce huge arrays, which a client may allocate up front.
 */
export function fakeRedis(fault: Fault | 'array-headers'): Promise<FakeServer> {
  return listen((socket) => {
    socket.once('data', () => {
      switch (fault) {
        case 'tarpit':
          return;
        case 'garbage':
          socket.write(randomBytes(CHUNK));
          return;
        case 'close-mid-response':
          socket.end(`$1000\r\n${'x'.repeat(100)}`);
          return;
        case 'drip':
          drip(socket, Buffer.from(`$100000\r\n${'x'.repeat(1000)}`));
          return;
        case 'endless-body': {
          // An array of a million elements, each a small bulk string, streamed as fast as read.
          socket.write('*1000000\r\n');
          const element = Buffer.from('$5\r\nhello\r\n'.repeat(CHUNK / 11));
          stream(socket, () => element);
          return;
        }
        case 'array-headers': {
          // Nested arrays of almost a million elements each: 12 bytes that ask for 8 MB, again and again.
          const headers = Buffer.from('*999999\r\n'.repeat(CHUNK / 9));
          stream(socket, () => headers);
          return;
        }
        case 'huge-message': {
          // One bulk string announced at 2 GiB, streamed as fast as it is read.
          socket.write('$2147483647\r\n');
          const body = Buffer.alloc(CHUNK, 'x');
          stream(socket, () => body);
          return;
        }
      }
    });
  });
}

/** A PostgreSQL backend message: type byte, int32 length (self included), body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};

/** AuthenticationOk, a few ParameterStatus, BackendKeyData, ReadyForQuery: a plausible handshake. */
export function pgHandshake(): Buffer {
  return Buffer.concat([
    message('R', int32(0)),
    message('S', Buffer.concat([cstr('server_version'), cstr('15.4')])),
    message('S', Buffer.concat([cstr('client_encoding'), cstr('UTF8')])),
    message('S', Buffer.concat([cstr('standard_conforming_strings'), cstr('on')])),
    message('K', Buffer.concat([int32(4242), int32(1234)])),
    message('Z', Buffer.from('I')),
  ]);
}

/** Type OIDs of the columns a fake answer uses: pg parses values by them. */
export const OID = { bool: 16, int4: 23, text: 25, json: 114, float8: 701 } as const;

/** RowDescription: text columns, or `[name, oid]` pairs. */
export function pgRowDescription(columns: (string | [string, number])[]): Buffer {
  return message(
    'T',
    Buffer.concat([
      int16(columns.length),
      ...columns.map((c) => {
        const [name, oid] = typeof c === 'string' ? [c, OID.text] : c;
        return Buffer.concat([cstr(name), int32(0), int16(0), int32(oid), int16(-1), int32(-1), int16(0)]);
      }),
    ]),
  );
}

/** A DataRow of text values (null for SQL NULL). */
export function pgDataRow(values: (string | null)[]): Buffer {
  return message(
    'D',
    Buffer.concat([
      int16(values.length),
      ...values.map((v) => {
        if (v === null) return int32(-1);
        const b = Buffer.from(v, 'utf8');
        return Buffer.concat([int32(b.length), b]);
      }),
    ]),
  );
}

export function pgCommandComplete(tag: string): Buffer {
  return message('C', cstr(tag));
}
export function pgReadyForQuery(): Buffer {
  return message('Z', Buffer.from('I'));
}

/** ErrorResponse with severity, SQLSTATE and message. */
export function pgError(code: string, text: string): Buffer {
  return message(
    'E',
    Buffer.concat([
      Buffer.from('S'),
      cstr('FATAL'),
      Buffer.from('V'),
      cstr('FATAL'),
      Buffer.from('C'),
      cstr(code),
      Buffer.from('M'),
      cstr(text),
      Buffer.from([0]),
    ]),
  );
}

/** AuthenticationCleartextPassword: the server asks for the password in clear. */
export function pgAskPassword(): Buffer {
  return message('R', int32(3));
}

export interface PgHandlers {
  /** Answers the startup message; the default is the handshake. */
  startup?(socket: Socket): void;
  /** Any other message the client sends (a PasswordMessage `p`, ...). */
  other?(socket: Socket, type: string, body: Buffer): void;
  /** Answers each query (simple `Q`, or the `Sync` that ends an extended one) with its SQL. */
  query(socket: Socket, sql: string, extended: boolean): void;
}

/** A whole answer: rows (or none, for a command), CommandComplete, ReadyForQuery. */
export function pgAnswer(
  extended: boolean,
  columns: (string | [string, number])[] | null,
  rows: (string | null)[][] = [],
): Buffer {
  const head = extended ? [message('1', Buffer.alloc(0)), message('2', Buffer.alloc(0))] : [];
  const desc = columns ? [pgRowDescription(columns)] : extended ? [message('n', Buffer.alloc(0))] : [];
  return Buffer.concat([
    ...head,
    ...desc,
    ...rows.map(pgDataRow),
    pgCommandComplete(columns ? `SELECT ${rows.length}` : 'OK'),
    pgReadyForQuery(),
  ]);
}

/**
 * A minimal PostgreSQL server: reads the client's framing (SSLRequest is refused with `N`, the
 * startup message gets the handshake) and hands each query to `handlers.query`.
 */
export function fakePgServer(
  handlers: PgHandlers,
  tls?: { key: string | Buffer; cert: string | Buffer },
): Promise<FakeServer> {
  return listen((raw) => {
    let buf = Buffer.alloc(0);
    let started = false;
    let pendingSql = '';
    const serve = (socket: Socket) => {
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          if (!started) {
            if (buf.length < 8) return;
            const len = buf.readInt32BE(0);
            if (buf.length < len) return;
            const code = buf.readInt32BE(4);
            buf = buf.subarray(len);
            if (code === 80877103) {
              if (!tls) {
                socket.write('N');
                continue;
              }
              // Accept TLS: 'S', then the same protocol inside the TLS stream.
              socket.off('data', onData);
              socket.write('S');
              const secure = new TLSSocket(socket, { isServer: true, ...tls });
              secure.on('error', () => {});
              serve(secure);
              return;
            }
            started = true;
            if (handlers.startup) handlers.startup(socket);
            else socket.write(pgHandshake());
            continue;
          }
          if (buf.length < 5) return;
          const type = String.fromCharCode(buf[0]!);
          const len = buf.readInt32BE(1);
          if (buf.length < len + 1) return;
          const body = buf.subarray(5, len + 1);
          buf = buf.subarray(len + 1);
          if (type === 'X') {
            socket.end();
            return;
          }
          if (type === 'Q') handlers.query(socket, body.toString('utf8').replace(/\0$/, ''), false);
          else if (type === 'P')
            pendingSql = body
              .subarray(body.indexOf(0) + 1)
              .toString('utf8')
              .split('\0')[0]!;
          else if (type === 'S') handlers.query(socket, pendingSql, true);
          else if (!'BDEHFC'.includes(type)) handlers.other?.(socket, type, body);
        }
      };
      socket.on('data', onData);
    };
    serve(raw);
  });
}

/** A fake PostgreSQL (or PgBouncer: the same protocol) that answers with the fault. */
export function fakePg(fault: Fault): Promise<FakeServer> {
  switch (fault) {
    case 'tarpit':
      return fakePgServer({ startup: () => {}, query: () => {} });
    case 'garbage':
      return fakePgServer({ startup: (s) => s.write(randomBytes(CHUNK)), query: () => {} });
    case 'drip':
      return fakePgServer({ startup: (s) => drip(s, pgHandshake()), query: () => {} });
    case 'close-mid-response':
      return fakePgServer({
        query: (s) => {
          const row = pgDataRow(['x'.repeat(1000)]);
          s.end(Buffer.concat([pgRowDescription(['a']), row.subarray(0, 100)]));
        },
      });
    case 'endless-body':
      return fakePgServer({
        query: (s) => {
          // Rows without end after a plausible start: every one becomes a JS object in pg.
          s.write(pgRowDescription(['a']));
          const rows = Buffer.concat(Array.from({ length: CHUNK / 12 }, () => pgDataRow(['x'])));
          stream(s, () => rows);
        },
      });
    case 'huge-message':
      return fakePgServer({
        query: (s) => {
          // One DataRow announced at almost 2 GiB, streamed as fast as it is read.
          const head = Buffer.alloc(5);
          head.write('D', 0, 'latin1');
          head.writeInt32BE(0x7ffffff0, 1);
          s.write(Buffer.concat([pgRowDescription(['a']), head, int16(1), int32(0x7fffffe0)]));
          const body = Buffer.alloc(CHUNK, 'x');
          stream(s, () => body);
        },
      });
  }
}
