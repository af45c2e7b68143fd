import { z } from 'zod';
import { ROADMAP, sectionOf } from '../core/catalogue.js';
import { InputError } from '../core/errors.js';
import type { Registry } from '../core/registry.js';

export { type CatalogueRow, catalogueRows, checksCommand } from './checks-list.js';

export function explainCommand(id: string, registry: Registry): string {
  const entry = ROADMAP.find((e) => e.id === id);
  const def = registry.byId.get(id);
  if (!entry && !def) throw new InputError(`unknown check "${id}" (strisk checks lists them)`);
  if (!def) {
    return `${id}  [${entry!.seedRef}] ${entry!.kind}\n\nNot implemented yet. Rule from the checklist: ${entry!.rule}\n`;
  }
  const plugin = registry.plugins.find((p) => p.checks.some((c) => c.id === id));
  const lines = [`${id}  [${def.seedRef}] ${def.kind}`];
  lines.push(
    `${def.title}`,
    '',
    def.description,
    '',
    `requires: ${def.requires.join(', ') || 'nothing'}${def.optional?.length ? `; reads when present: ${def.optional.join(', ')}` : ''}`,
    `severity: ${def.severity}`,
    `section: ${sectionOf(def)}${plugin && !plugin.builtin ? ` (plugin ${plugin.origin.label})` : ''}`,
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
