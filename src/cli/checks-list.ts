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
  // Plain columns, one line per check: no rule between rows, greppable.
  const head = ['id', 'seed', 'kind', 'severity', 'implemented', 'source'];
  const cells = rows.map((r) => [
    r.id,
    r.seedRef,
    r.kind,
    r.severity,
    r.implemented ? 'yes' : 'not yet',
    r.source,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const table = [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
  // The checklist's count is the built-ins' and the roadmap's; plugins and the config's declared
  // checks are counted apart, since they are not checklist items.
  const plugins = registry.plugins.filter((p) => !p.builtin);
  const extra = new Set(plugins.flatMap((p) => (p.checks as readonly { id: string }[]).map((c) => c.id)));
  const checklist = rows.filter((r) => !extra.has(r.id));
  const done = checklist.filter((r) => r.implemented).length;
  const from =
    plugins.length === 0
      ? ''
      : `, and ${plugins
          .map((p) =>
            p.origin.label === 'checks.custom'
              ? `${p.checks.length} declared in the config`
              : `${p.checks.length} from plugin ${p.origin.label}`,
          )
          .join(', ')}`;
  return `${table}\n\n${done} of ${checklist.length} checklist checks implemented${from}.\n`;
}
