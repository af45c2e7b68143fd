// The config's `checks.custom:` entries as check definitions, refused with the config line when
// an id is taken: by a built-in check, a catalogue item, or another entry.
import { ROADMAP } from '../core/catalogue.js';
import type { CheckDefinition } from '../core/check.js';
import { declareCheck } from '../core/declare.js';
import { InputError } from '../core/errors.js';
import type { LoadedConfig } from './load.js';

export function customChecks(loaded: LoadedConfig, builtins: readonly CheckDefinition[]): CheckDefinition[] {
  const taken = new Set([...builtins.map((c) => c.id), ...ROADMAP.map((e) => e.id)]);
  return (loaded.config.checks?.custom ?? []).map((entry, i) => {
    if (taken.has(entry.id)) {
      const what = builtins.some((c) => c.id === entry.id)
        ? 'the id of a built-in or plugin check'
        : ROADMAP.some((e) => e.id === entry.id)
          ? 'a checklist item'
          : 'another entry';
      throw new InputError(
        `checks, custom, item ${i + 1}, id: "${entry.id}" is already ${what}; give the check its own <namespace>/<noun>`,
        loaded.file,
        loaded.lineAt?.(['checks', 'custom', i, 'id']),
      );
    }
    taken.add(entry.id);
    return declareCheck(entry);
  });
}
