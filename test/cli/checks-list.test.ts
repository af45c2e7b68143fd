import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { boxTable, builtinListing, catalogueRows } from '../../src/cli/checks-list.js';

describe('the listing table', () => {
  it('is drawn as cli-table3 draws it, for the whole catalogue and for wide or missing cells', () => {
    const head = ['id', 'kind', 'source', 'seed', 'severity', 'implemented'];
    const catalogue = catalogueRows(builtinListing()).map((r) => [
      r.id,
      r.kind,
      r.source,
      r.seedRef,
      r.severity,
      r.implemented ? 'yes' : 'not yet',
    ]);
    const odd = [
      ['acme/very-long-identifier-of-a-plugin-check', 'manual', '—', 'Phase', 'critical', 'not yet'],
      ['x', '', 'app, redis?', '1', 'low', 'yes'],
    ];
    for (const body of [catalogue, odd]) {
      const table = new Table({ head, style: { head: [], border: [] } });
      for (const r of body) table.push(r);
      expect(boxTable(head, body)).toBe(table.toString());
    }
  });
});
