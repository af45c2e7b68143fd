// The columns of a table are kept as parallel arrays (a fifth of the facts at 10,000 tables);
// recordings with one object per column still load, and the checks see one object per column.
import { describe, expect, it } from 'vitest';
import {
  columnsByTable,
  INTERNED_STRINGS,
  stringsOfArrayText,
} from '../../src/collectors/clickhouse/assemble.js';
import { TableSchema } from '../../src/collectors/clickhouse/schema.js';
import { columnsOf, partitionTimeColumns } from '../../src/facts/clickhouse.js';
import { factsText, INDENTED_FACTS_MAX_BYTES } from '../../src/reporters/escape.js';

const table = {
  database: 'app',
  name: 'events',
  engine: 'MergeTree',
  partitionKey: 'toYYYYMM(ts)',
  sortingKey: 'id, ts',
  samplingKey: '',
  ttl: null,
  skipIndices: null,
  parts: null,
};

/** The facts of table t1 of the two-table answers below, in either form of the columns query. */
const T1_FACTS = {
  name: ['id', 'ts'],
  type: ['UInt64', 'DateTime'],
  bytes: [0, 5],
  compressedBytes: [0, 1],
  codec: null,
  partitionKey: ['ts'],
};

describe('ClickHouse table columns', () => {
  it('reads a recording with one object per column into parallel arrays', () => {
    const t = TableSchema.parse({
      ...table,
      columns: [
        { name: 'id', type: 'UInt64', bytes: 10, compressedBytes: 4, codec: '', inPartitionKey: false },
        {
          name: 'ts',
          type: 'DateTime',
          bytes: 8,
          compressedBytes: 2,
          codec: 'CODEC(Delta, ZSTD)',
          inPartitionKey: true,
        },
      ],
    });
    expect(t.columns).toEqual({
      name: ['id', 'ts'],
      type: ['UInt64', 'DateTime'],
      bytes: [10, 8],
      compressedBytes: [4, 2],
      codec: ['', 'CODEC(Delta, ZSTD)'],
      partitionKey: ['ts'],
    });
    expect(columnsOf(t)).toEqual([
      { name: 'id', type: 'UInt64', bytes: 10, compressedBytes: 4, codec: '', inPartitionKey: false },
      {
        name: 'ts',
        type: 'DateTime',
        bytes: 8,
        compressedBytes: 2,
        codec: 'CODEC(Delta, ZSTD)',
        inPartitionKey: true,
      },
    ]);
    expect(partitionTimeColumns(t)!.map((c) => c.name)).toEqual(['ts']);
  });

  it('reads the text of a ClickHouse array of strings, escapes and all', () => {
    expect(stringsOfArrayText('[]')).toEqual([]);
    expect(stringsOfArrayText("['id','ts']")).toEqual(['id', 'ts']);
    expect(stringsOfArrayText("['']")).toEqual(['']);
    expect(stringsOfArrayText("['a,b','c']")).toEqual(['a,b', 'c']);
    // As 18.16 prints them: quote, backslash, newline, tab, zero byte; other characters verbatim.
    expect(
      stringsOfArrayText(
        "['a\\'b','c\\\\d','g\\',\\'h','nl\\nx','t\\tx','z\\0','\u001b[31m','é😀','\\'\\'','Enum8(\\'x\\\\\\'y\\' = 1)']",
      ),
    ).toEqual([
      "a'b",
      'c\\d',
      "g','h",
      'nl\nx',
      't\tx',
      'z\0',
      '\u001b[31m',
      'é😀',
      "''",
      "Enum8('x\\'y' = 1)",
    ]);
  });

  it("splits a list of names or types that repeats an earlier table's once, and gives each table its own copy", () => {
    const rows = [1, 2].map((i) => ({
      database: 'app',
      table: `t${i}`,
      names: "['id','ts']",
      types: "['UInt64','DateTime']",
      bytes: [0, 5],
      compressed: [0, 1],
      partition_columns: ['ts'],
    }));
    const byTable = columnsByTable(rows, false);
    const [t1, t2] = [byTable.get('app\u0000t1')!, byTable.get('app\u0000t2')!];
    expect(t1).toEqual(T1_FACTS);
    expect(t2.name).toEqual(t1.name);
    expect(t2.name).not.toBe(t1.name);
  });

  it('keeps every name past the first INTERNED_STRINGS distinct ones (interned or not)', () => {
    const tables = INTERNED_STRINGS / 2 + 10;
    const rows = Array.from({ length: tables }, (_, i) => ({
      database: 'app',
      table: `t${i}`,
      names: `['id','a${i}','b${i}']`,
      types: "['UInt64','String','String']",
      bytes: [1, 2, 3],
      compressed: [1, 1, 1],
      partition_columns: [],
    }));
    const byTable = columnsByTable(rows, false);
    expect(byTable.size).toBe(tables);
    const last = byTable.get(`app\u0000t${tables - 1}`)!;
    expect(last.name).toEqual(['id', `a${tables - 1}`, `b${tables - 1}`]);
    expect(last.type).toEqual(['UInt64', 'String', 'String']);
  });

  it('builds the arrays from the columns query, one string per repeated name or type', () => {
    const rows = [1, 2].map((i) => ({
      database: 'app',
      table: `t${i}`,
      names: ['id', 'ts'],
      types: ['UInt64', 'DateTime'],
      bytes: [0, 5],
      compressed: [0, 1],
      partition_columns: ['ts'],
    }));
    const byTable = columnsByTable(rows, false);
    const t1 = byTable.get('app\u0000t1')!;
    expect(t1).toEqual(T1_FACTS);
    expect(columnsOf({ ...table, columns: t1 })![0]!.codec).toBeNull();
    expect(columnsOf({ ...table, columns: null })).toBeNull();
  });
  it('refuses lists of the wrong type in recorded facts', () => {
    const columns = {
      name: ['id'],
      type: ['UInt64'],
      bytes: [1],
      compressedBytes: [1],
      codec: null,
      partitionKey: [],
    };
    expect(TableSchema.safeParse({ ...table, columns }).success).toBe(true);
    expect(TableSchema.safeParse({ ...table, columns: { ...columns, name: [1] } }).success).toBe(false);
    expect(TableSchema.safeParse({ ...table, columns: { ...columns, bytes: ['1'] } }).success).toBe(false);
  });
});

describe('recorded facts (--save-facts)', () => {
  it('are indented while small and on one line when large', () => {
    const small = { sources: { a: [1, 2] } };
    expect(factsText(small)).toBe(JSON.stringify(small, null, 2));
    const large = { items: Array.from({ length: INDENTED_FACTS_MAX_BYTES / 8 }, (_, i) => ({ i })) };
    const text = factsText(large);
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toEqual(large);
  });
});
