import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { customChecks } from '../config/custom.js';
import { findConfig, type LoadedConfig, loadConfig } from '../config/load.js';
import { InputError } from '../core/errors.js';
import { loadRegistry, type PluginRequest } from '../core/plugins.js';
import { buildRegistry, type Registry } from '../core/registry.js';

/**
 * The plugins of a run: the config's `plugins:` (paths relative to the config file) then each
 * `--plugin` (paths relative to the working directory); packages are looked up from the audited
 * project, then the working directory.
 */
export function pluginRequests(
  fromFlags: readonly string[],
  loaded: LoadedConfig,
  projectDir: string,
): PluginRequest[] {
  const searchDirs = [projectDir, process.cwd()];
  const fromConfig = (loaded.config.plugins ?? []).map((label, i) => ({
    label,
    file: loaded.file,
    line: loaded.lineAt?.(['plugins', i]),
    baseDir: loaded.file ? dirname(resolve(loaded.file)) : process.cwd(),
    searchDirs: loaded.file ? [dirname(resolve(loaded.file)), ...searchDirs] : searchDirs,
  }));
  const fromCli = fromFlags.map((label) => ({ label: label, baseDir: process.cwd(), searchDirs }));
  return [...fromConfig, ...fromCli];
}

/**
 * The registry `strisk checks` and `explain` show: the built-ins and the plugins of the config
 * (`--config`, else strisk.config.yaml here or in a parent) and of `--plugin`.
 */
export async function registryFor(
  flags: { config?: string; plugin?: string[] },
  env: Record<string, string | undefined>,
): Promise<Registry> {
  const cwd = process.cwd();
  const file = flags.config ?? findConfig(cwd);
  if (flags.config && !existsSync(flags.config)) throw new InputError('config file not found', flags.config);
  const loaded: LoadedConfig = file ? loadConfig(file, env) : { config: {} };
  return withDeclared(await loadRegistry(pluginRequests(flags.plugin ?? [], loaded, cwd)), loaded);
}

/** Section of the config's declarative checks that name none of their own. */
export const DECLARED_SECTION = 'Declared in the config';

/**
 * The registry with the config's declarative checks (`checks.custom:`) added as one more plugin, so
 * they are listed, explained, selected, waived and reported like any other check. An id that a
 * built-in, a roadmap item, a plugin or another entry already has is refused with its config line.
 */
export function withDeclared(registry: Registry, loaded: LoadedConfig): Registry {
  const checks = customChecks(loaded, registry.checks);
  if (checks.length === 0) return registry;
  return buildRegistry([
    ...registry.plugins,
    {
      origin: { label: 'checks.custom', file: loaded.file },
      namespace: 'custom',
      section: DECLARED_SECTION,
      builtin: false,
      checks: checks.map((c) => (c.section ? c : { ...c, section: DECLARED_SECTION })),
    },
  ]);
}
