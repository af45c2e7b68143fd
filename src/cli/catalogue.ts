import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ROADMAP, sectionOf } from '../core/catalogue.js';
import { InputError } from '../core/errors.js';
import { nearest } from '../core/nearest.js';
import type { Registry } from '../core/registry.js';
import { checkPage, installedCheckPage } from '../reporters/check-page.js';

export { type CatalogueRow, catalogueRows, checksCommand } from './checks-list.js';

/**
 * A check's page: for a built-in, the generated one shipped in docs/checks (with its examples), else
 * the same page made from the definition now; for a plugin's check, its definition and options.
 */
export function explainCommand(id: string, registry: Registry): string {
  const entry = ROADMAP.find((e) => e.id === id);
  const def = registry.byId.get(id);
  if (!entry && !def) {
    const near = nearest(id, [...new Set([...ROADMAP.map((e) => e.id), ...registry.byId.keys()])]);
    throw new InputError(
      `unknown check "${id}"${near ? `; did you mean ${near}?` : ''} (strisk checks lists them)`,
    );
  }
  if (!def) {
    return `${id}  [${entry!.seedRef}] ${entry!.kind}\n\nNot implemented yet. Rule from the checklist: ${entry!.rule}\n`;
  }
  const plugin = registry.plugins.find((p) => p.checks.some((c) => c.id === id));
  if (!plugin || plugin.builtin) {
    const shipped = installedCheckPage(id);
    if (existsSync(shipped)) return readFileSync(shipped, 'utf8');
    return `${checkPage(def)}\n`;
  }
  const lines = [`${id}  [${def.seedRef}] ${def.kind}`];
  lines.push(
    `${def.title}`,
    '',
    def.description,
    '',
    `requires: ${def.requires.join(', ') || 'nothing'}${def.optional?.length ? `; reads when present: ${def.optional.join(', ')}` : ''}`,
    `severity: ${def.severity}`,
    `section: ${sectionOf(def)} (plugin ${plugin.origin.label})`,
    '',
    'options (defaults are the checklist’s thresholds):',
    optionsSchema(def.options),
  );
  return `${lines.join('\n')}\n`;
}

/** The options as JSON Schema; a plugin's schema that has no JSON form (a transform) is said so. */
function optionsSchema(options: z.ZodType): string {
  try {
    return JSON.stringify(z.toJSONSchema(options, { io: 'input' }), null, 2);
  } catch (err) {
    return `(no JSON Schema form: ${err instanceof Error ? err.message : String(err)})`;
  }
}
