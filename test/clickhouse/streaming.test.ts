// The collector reads each answer line by line as it arrives: a row is handed on before the rest
// of its answer, a line or a character cut between two chunks is put back together, and an error
// the server appends after some rows still fails the read.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LineReader,
  parseEndpoint,
  ReadOnlyClickHouse,
  ServerError,
  STREAM_BATCH_BYTES,
} from '../../src/collectors/clickhouse/client.js';

const lines = (chunks: Buffer[], batchBytes = 0): string[] => {
  const out: string[] = [];
  const reader = new LineReader((l) => out.push(l), batchBytes);
  for (const c of chunks) reader.push(c);
  reader.end();
  return out;
};

describe('LineReader', () => {
  it('puts lines and characters cut between chunks back together', () => {
    const text = Buffer.from('{"a":"é"}\n\n{"b":"😀 x"}\n{"c":1}');
    // Every cut of the text in two, and the text one byte per chunk.
    for (let at = 0; at <= text.length; at++) {
      expect(lines([text.subarray(0, at), text.subarray(at)], at % 3 === 0 ? 0 : 7)).toEqual([
        '{"a":"é"}',
        '{"b":"😀 x"}',
        '{"c":1}',
      ]);
    }
    expect(lines([...text].map((b) => Buffer.from([b])))).toEqual(['{"a":"é"}', '{"b":"😀 x"}', '{"c":1}']);
  });

  it('gathers chunks up to the batch size before cutting them', () => {
    const out: string[] = [];
    const reader = new LineReader((l) => out.push(l), 6);
    reader.push(Buffer.from('a\nb\n'));
    expect(out).toEqual([]);
    reader.push(Buffer.from('cd\ne'));
    expect(out).toEqual(['a', 'b', 'cd']);
    reader.push(Buffer.from('f\n'));
    expect(out).toEqual(['a', 'b', 'cd']);
    reader.end();
    expect(out).toEqual(['a', 'b', 'cd', 'ef']);
  });

  it('skips blank lines and reads a last line without a newline', () => {
    expect(lines([Buffer.from('\n  \nx\n'), Buffer.from('y')])).toEqual(['x', 'y']);
    expect(lines([])).toEqual([]);
  });
});

// A fake server: each request's answer is written by the handler the test sets.
let server: Server;
let url: string;
let answer: (res: ServerResponse) => void = (res) => res.end();

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://u:p@127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = () => new ReadOnlyClickHouse(parseEndpoint(url), 5_000, '.');

describe('ReadOnlyClickHouse.selectEach', () => {
  it('hands rows on as their lines arrive, a batch of STREAM_BATCH_BYTES at a time, before the answer ends', async () => {
    // A first batch of rows, the start of one more, then the rest 300 ms later.
    const first = Array.from({ length: STREAM_BATCH_BYTES / 8 }, (_, i) => `{"n":${i % 10}}\n`);
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${first.join('')}{"n":`);
      setTimeout(() => res.end('-1}\n'), 300);
    };
    const seen: { n: number; at: number }[] = [];
    const c = client();
    const started = performance.now();
    await c.selectEach<{ n: number }>('SELECT 1', (r) => seen.push({ ...r, at: performance.now() }));
    const ended = performance.now();
    await c.close();
    expect(seen.length).toBe(first.length + 1);
    expect(seen.at(-1)!.n).toBe(-1);
    expect(seen.at(-2)!.at - started).toBeLessThan(250);
    expect(ended - started).toBeGreaterThanOrEqual(290);
    expect(c.queries).toBe(1);
  });

  it('fails on an error the server sends after some rows', async () => {
    answer = (res) => {
      res.writeHead(200);
      res.end(
        '{"n":1}\nCode: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded, e.what() = DB::Exception\n',
      );
    };
    const seen: unknown[] = [];
    const c = client();
    const err = await c.selectEach('SELECT 1', (r) => seen.push(r)).catch((e: unknown) => e);
    await c.close();
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ code: '241', message: 'Memory limit (for query) exceeded' });
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('reads an error answer whole, not as rows', async () => {
    answer = (res) => {
      res.writeHead(500, { 'x-clickhouse-exception-code': '60' });
      res.end('Code: 60. DB::Exception: Table x.y does not exist. (UNKNOWN_TABLE) (version 24.3.1.1)\n');
    };
    const seen: unknown[] = [];
    const c = client();
    const err = await c.selectEach('SELECT 1', (r) => seen.push(r)).catch((e: unknown) => e);
    await c.close();
    expect(err).toMatchObject({ code: '60', message: 'Table x.y does not exist. (UNKNOWN_TABLE)' });
    expect(seen).toEqual([]);
  });

  it('ends the read when handing a row on throws', async () => {
    answer = (res) => {
      res.writeHead(200);
      res.end('{"n":1}\n{"n":2}\n');
    };
    const c = client();
    const err = await c
      .selectEach('SELECT 1', () => {
        throw new Error('no');
      })
      .catch((e: unknown) => e);
    await c.close();
    expect((err as Error).message).toBe('no');
  });
});
