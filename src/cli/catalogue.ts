import Table from 'cli-table3';
import { z } from 'zod';
import { CHECKS } from '../checks/index.js';
import { customChecks } from '../config/custom.js';
import { loadConfig } from '../config/load.js';
import { CATALOGUE } from '../core/catalogue.js';
import type { CheckDefinition } from '../core/check.js';
import { InputError } from '../core/errors.js';

/** The checks a config declares (`checks.custom:`); none without a config. Bad entries exit 2. */
export function declaredChecks(configFile: string | undefined, env = process.env): CheckDefinition[] {
  return configFile ? customChecks(loadConfig(configFile, env), CHECKS) : [];
}

export interface CatalogueRow {
  id: string;
  kind: string;
  source: string;
  seedRef: string;
  severity: string;
  implemented: boolean;
  title: string;
}

export function catalogueRows(declared: readonly CheckDefinition[] = []): CatalogueRow[] {
  const rows = CATALOGUE.map((e) => {
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
  return [
    ...rows,
    ...declared.map((d) => ({
      id: d.id,
      kind: d.kind,
      source: d.requires.join(', '),
      seedRef: d.seedRef,
      severity: d.severity,
      implemented: true,
      title: d.title,
    })),
  ];
}

export function checksCommand(
  format: 'terminal' | 'json',
  declared: readonly CheckDefinition[] = [],
): string {
  const rows = catalogueRows(declared);
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const table = new Table({
    head: ['id', 'kind', 'source', 'seed', 'severity', 'implemented'],
    style: { head: [], border: [] },
  });
  for (const r of rows)
    table.push([r.id, r.kind, r.source, r.seedRef, r.severity, r.implemented ? 'yes' : 'not yet']);
  const listed = rows.length - declared.length;
  const done = rows.filter((r) => r.implemented).length - declared.length;
  const extra = declared.length > 0 ? `, and ${declared.length} declared in the config` : '';
  return `${table.toString()}\n${done} of ${listed} checklist checks implemented${extra}.\n`;
}

export function explainCommand(id: string, declared: readonly CheckDefinition[] = []): string {
  const entry = CATALOGUE.find((e) => e.id === id);
  const def = [...CHECKS, ...declared].find((c) => c.id === id);
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
