import { describe, expect, it } from 'vitest';
import { builtinListing, catalogueRows, checksCommand } from '../../src/cli/checks-list.js';

describe('the listing table', () => {
  it('is plain columns, one line per check and no rule between rows, from the manifest', () => {
    const rows = catalogueRows(builtinListing());
    const lines = checksCommand('terminal', builtinListing()).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id +seed +kind +severity +implemented +source$/);
    expect(lines[1]).toMatch(/^-+( +-+){5}$/);
    const body = lines.slice(2, 2 + rows.length);
    expect(body.map((l) => l.split(/ +/)[0])).toEqual(rows.map((r) => r.id));
    // Every column starts where its header does.
    const at = (word: string) => lines[0]!.indexOf(word);
    for (const [i, l] of body.entries()) expect(l.slice(at('seed')).startsWith(rows[i]!.seedRef)).toBe(true);
    expect(lines.at(-1)).toBe(
      `${rows.filter((r) => r.implemented).length} of ${rows.length} checklist checks implemented.`,
    );
  });

  it('counts the checklist apart from plugins and declared checks', () => {
    const builtin = builtinListing();
    const extra = (id: string) => ({ ...builtin.checks[0]!, id, seedRef: 'custom' });
    const listing = {
      ...builtin,
      plugins: [
        ...builtin.plugins,
        { origin: { label: 'checks.custom' }, builtin: false, checks: [extra('org/a')] },
        { origin: { label: './rules' }, builtin: false, checks: [extra('acme/b'), extra('acme/c')] },
      ],
      checks: [...builtin.checks, extra('org/a'), extra('acme/b'), extra('acme/c')],
    };
    const n = builtin.checks.length;
    expect(checksCommand('terminal', listing).trimEnd().split('\n').at(-1)).toBe(
      `${n} of ${n} checklist checks implemented, and 1 declared in the config, 2 from plugin ./rules.`,
    );
  });
});
