import { MANIFEST } from '../checks/manifest.js';
import { bySection, ROADMAP, SECTIONS, sectionOf } from '../core/catalogue.js';
import type { CheckMeta } from '../core/check.js';

// `strisk checks` from what a catalogue lists of each check (CheckMeta), apart from catalogue.ts
// (explain) so that listing loads no zod; with neither a config nor a plugin, from the generated
// manifest, so that no check module is loaded either.

export interface CatalogueRow {
  id: string;
  kind: string;
  source: string;
  seedRef: string;
  section: string;
  severity: string;
  implemented: boolean;
  title: string;
}

/** What the listing needs of a registry (a Registry, or the built-ins' manifest). */
export interface Listing {
  plugins: readonly { origin: { label: string }; builtin: boolean; checks: readonly unknown[] }[];
  checks: readonly CheckMeta[];
  byId: { has(id: string): boolean };
  sections: readonly string[];
}

/** The built-ins alone, from the manifest: the listing of a run with no config and no plugin. */
export function builtinListing(): Listing {
  const sections = [...SECTIONS.map((s) => s.name)];
  for (const c of MANIFEST) if (!sections.includes(sectionOf(c))) sections.push(sectionOf(c));
  return {
    plugins: [{ origin: { label: 'strisk (built-in)' }, builtin: true, checks: MANIFEST }],
    checks: MANIFEST,
    byId: new Set(MANIFEST.map((c) => c.id)),
    sections,
  };
}

/** Every check of the registry (built-ins and plugins) and every roadmap item, in checklist order. */
export function catalogueRows(registry: Listing): CatalogueRow[] {
  const rows: CatalogueRow[] = [
    ...registry.checks.map((def) => ({
      id: def.id,
      kind: def.kind,
      source: [...def.requires, ...(def.optional ?? []).map((s) => `${s}?`)].join(', ') || '—',
      seedRef: def.seedRef,
      section: sectionOf(def),
      severity: def.severity,
      implemented: true,
      title: def.title,
    })),
    ...ROADMAP.filter((e) => !registry.byId.has(e.id)).map((e) => ({
      id: e.id,
      kind: e.kind,
      source: e.sources,
      seedRef: e.seedRef,
      section: e.section,
      severity: e.kind === 'info' ? 'info' : 'medium',
      implemented: false,
      title: e.rule,
    })),
  ];
  return rows.sort(bySection(registry.sections));
}

export function checksCommand(format: 'terminal' | 'json', registry: Listing): string {
  const rows = catalogueRows(registry);
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const table = boxTable(
    ['id', 'kind', 'source', 'seed', 'severity', 'implemented'],
    rows.map((r) => [r.id, r.kind, r.source, r.seedRef, r.severity, r.implemented ? 'yes' : 'not yet']),
  );
  const done = rows.filter((r) => r.implemented).length;
  const plugins = registry.plugins.filter((p) => !p.builtin);
  const from =
    plugins.length === 0
      ? ''
      : ` (${plugins.map((p) => `${p.checks.length} from plugin ${p.origin.label}`).join(', ')})`;
  return `${table}\n${done} of ${rows.length} checklist checks implemented${from}.\n`;
}

/**
 * The listing's table, drawn as cli-table3 draws it (a rule between rows): its cells are one line
 * of plain text, and cli-table3's first table costs ~50 ms of `strisk checks` (the test compares
 * the two outputs). Columns are as wide as their longest cell, counted in code points.
 */
export function boxTable(head: readonly string[], body: readonly (readonly string[])[]): string {
  const width = head.map((h, i) =>
    Math.max(...[h, ...body.map((r) => r[i] ?? '')].map((c) => [...c].length)),
  );
  const rule = (l: string, m: string, r: string) => `${l}${width.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  const line = (cells: readonly string[]) =>
    `│${width.map((w, i) => ` ${cells[i] ?? ''}${' '.repeat(w - [...(cells[i] ?? '')].length)} `).join('│')}│`;
  const between = rule('├', '┼', '┤');
  return [
    rule('┌', '┬', '┐'),
    ...[head, ...body].flatMap((r, i) => (i === 0 ? [line(r)] : [between, line(r)])),
    rule('└', '┴', '┘'),
  ].join('\n');
}
