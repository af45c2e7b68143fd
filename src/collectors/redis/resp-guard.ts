// RESP type bytes whose header announces a count of elements (array, map, set, push, attribute)
// or a length of bytes (bulk string, bulk error, verbatim string).
const AGGREGATES = new Set([42, 37, 126, 62, 124]); // * % ~ > |
const MAPS = new Set([37, 124]); // % |: two elements per entry
const BULKS = new Set([36, 33, 61]); // $ ! =
const LF = 10;
const CR = 13;

/**
 * Reads the RESP framing of what a server sends, ahead of ioredis's decoder, and says when a
 * header announces more than strisk will ever read: ioredis allocates `new Array(n)` for an
 * announced array of n elements before any element arrives, so `*30000000\r\n` (13 bytes) would
 * cost 240 MB, and nested headers multiply it. The budget counts every element announced in
 * one response; bulk lengths are held to the byte cap. Only the framing is tracked, never values.
 */
export class RespGuard {
  private state: 'type' | 'line' | 'number' | 'body' = 'type';
  private kind = 0;
  private num = 0;
  private negative = false;
  private bodyLeft = 0;
  private elements = 0;

  constructor(
    readonly maxElements: number,
    readonly maxBulkBytes: number,
  ) {}

  /** A new response starts. */
  reset(): void {
    this.elements = 0;
  }

  /** The index in `chunk` of the byte that breaks a limit, and which limit; undefined when none. */
  scan(chunk: Buffer): { at: number; what: string } | undefined {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case 'body': {
          const n = Math.min(this.bodyLeft, chunk.length - i);
          this.bodyLeft -= n;
          i += n - 1;
          if (this.bodyLeft === 0) this.state = 'type';
          break;
        }
        case 'type':
          this.kind = b;
          if (AGGREGATES.has(b) || BULKS.has(b)) {
            this.state = 'number';
            this.num = 0;
            this.negative = false;
          } else this.state = 'line';
          break;
        case 'line':
          if (b === LF) this.state = 'type';
          break;
        case 'number':
          if (b === LF) {
            this.state = 'type';
            if (BULKS.has(this.kind) && !this.negative) {
              this.bodyLeft = this.num + 2;
              this.state = 'body';
            } else if (AGGREGATES.has(this.kind) && !this.negative) {
              this.elements += this.num * (MAPS.has(this.kind) ? 2 : 1);
            }
          } else if (b === 45) this.negative = true;
          else if (b < 48 || b > 57) {
            // Not a length: garbage the decoder will reject with its own message.
            if (b !== CR) this.state = 'line';
          } else {
            this.num = this.num * 10 + (b - 48);
            if (this.negative) break;
            if (AGGREGATES.has(this.kind)) {
              const count = this.elements + this.num * (MAPS.has(this.kind) ? 2 : 1);
              if (count > this.maxElements)
                return { at: i, what: `${this.maxElements.toLocaleString('en')} elements` };
            } else if (this.num > this.maxBulkBytes) {
              return { at: i, what: `${this.maxBulkBytes / 1024 / 1024} MiB` };
            }
          }
          break;
      }
    }
    return undefined;
  }
}
