import Table from 'cli-table3';
import { z } from 'zod';
import { CHECKS } from '../checks/index.js';
import { CATALOGUE } from '../core/catalogue.js';
import { InputError } from '../core/errors.js';

export interface CatalogueRow {
  id: string;
  kind: string;
  source: string;
  seedRef: string;
  severity: string;
  implemented: boolean;
  title: string;
}

export function catalogueRows(): CatalogueRow[] {
  return CATALOGUE.map((e) => {
    const def = CHECKS.find((c) => c.id === e.id);
    return {
      id: e.id,
      kind: e.kind,
      source: def
        ? [...def.requires, ...(def.optional ?? []).map((s) => `${s}?`)].join(', ') || '—'
        : e.sources,
      seedRef: e.seedRef,
      severity: def?.severity ?? (e.kind === 'info' ? 'info' : 'medium'),
      implemented: Boolean(def),
      title: def?.title ?? e.rule,
    };
  });
}

export function checksCommand(format: 'terminal' | 'json'): string {
  const rows = catalogueRows();
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const table = new Table({
    head: ['id', 'kind', 'source', 'seed', 'severity', 'implemented'],
    style: { head: [], border: [] },
  });
  for (const r of rows)
    table.push([r.id, r.kind, r.source, r.seedRef, r.severity, r.implemented ? 'yes' : 'not yet']);
  const done = rows.filter((r) => r.implemented).length;
  return `${table.toString()}\n${done} of ${rows.length} checklist checks implemented.\n`;
}

export function explainCommand(id: string): string {
  const entry = CATALOGUE.find((e) => e.id === id);
  const def = CHECKS.find((c) => c.id === id);
  if (!entry && !def) throw new InputError(`unknown check "${id}" (strisk checks lists them)`);
  const lines = [`${id}  [${entry?.seedRef ?? def?.seedRef}] ${entry?.kind ?? def?.kind}`];
  if (!def) {
    lines.push('', `Not implemented yet. Rule from the checklist: ${entry!.rule}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `${def.title}`,
    '',
    def.description,
    '',
    `requires: ${def.requires.join(', ') || 'nothing'}${def.optional?.length ? `; reads when present: ${def.optional.join(', ')}` : ''}`,
    `severity: ${def.severity}`,
    '',
    'options (defaults are the checklist’s thresholds):',
    JSON.stringify(z.toJSONSchema(def.options, { io: 'input' }), null, 2),
  );
  return `${lines.join('\n')}\n`;
}
