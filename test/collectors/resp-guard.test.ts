import { describe, expect, it } from 'vitest';
import { RespGuard } from '../../src/collectors/redis/resp-guard.js';

const scanAll = (g: RespGuard, ...chunks: string[]) => chunks.map((c) => g.scan(Buffer.from(c, 'latin1')));

describe('RespGuard', () => {
  it('lets real replies through: SCAN, PTTLs, INFO, nulls, bulk bodies that contain headers', () => {
    const g = new RespGuard(1000, 1024);
    const body = '*9999999\r\n'; // inside a bulk string it is data, not a header
    expect(
      scanAll(
        g,
        '*2\r\n$1\r\n0\r\n*3\r\n$3\r\na:1\r\n$3\r\na:2\r\n$3\r\na:3\r\n',
        ':-1\r\n:12000\r\n$-1\r\n*-1\r\n+OK\r\n-ERR x\r\n',
        `$${body.length}\r\n${body}\r\n`,
      ),
    ).toEqual([undefined, undefined, undefined]);
  });

  it('stops at the digit that breaks the budget, also when a header is split across chunks', () => {
    expect(new RespGuard(1000, 1024).scan(Buffer.from('*2147483647\r\n'))).toEqual({
      at: 4,
      what: '1,000 elements',
    });
    const g = new RespGuard(1000, 1024);
    expect(scanAll(g, '*5', '00\r\n*50', '1\r\n')).toEqual([
      undefined,
      undefined,
      { at: 0, what: '1,000 elements' },
    ]);
    // A bulk announced beyond the byte cap is refused at its header, before any of it arrives.
    expect(new RespGuard(1000, 1024 * 1024).scan(Buffer.from('$2097152\r\n'))).toEqual({
      at: 7,
      what: '1 MiB',
    });
  });

  it('counts elements per response: reset() starts the budget again', () => {
    const g = new RespGuard(10, 1024);
    expect(g.scan(Buffer.from('*6\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n'))).toBeUndefined();
    expect(g.scan(Buffer.from('*6\r\n'))).toEqual({ at: 1, what: '10 elements' });
    g.reset();
    expect(g.scan(Buffer.from('*6\r\n'))).toBeUndefined();
  });
});
