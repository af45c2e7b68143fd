// The `env_file:` files of the services: read once each, merged under `environment:` as compose
// does, with the env file's line for every variable, and secrets redacted as environment values are.
import path from 'node:path';
import { LocalFileError, readLocalFile } from '../../core/local-file.js';
import { ADDRESS_NAME, type Lookup, parseDotEnv } from './interpolate.js';
import { displayPath } from './load.js';
import { redactSecret } from './normalize.js';
import type { ComposeService } from './schema.js';

interface EnvFile {
  display: string;
  vars: Record<string, string>;
  lines: Map<string, number>;
}

/** A value of a variable named as an address (`DB_HOST`), once interpolated: a host or a port. */
const ADDRESS_VALUE = /^[\w.:[\]-]+$/;

/**
 * One env file's variables, as the facts may keep them. It is parsed by the `.env` rules
 * (`parseDotEnv`: quotes, escapes, `export`, comments, `${VAR}` from the environment and earlier
 * lines). A value the environment filled in stays as written (`${DATABASE_URL}`), as in
 * `environment:`, except for a variable named as an address whose value is a host or a port: which
 * service an app talks to is how roles and startup order are told.
 */
async function readEnvFile(
  abs: string,
  projectDir: string,
  lookup: Lookup,
  maxBytes: number,
): Promise<EnvFile | undefined> {
  const display = displayPath(projectDir, abs);
  let text: string;
  try {
    text = await readLocalFile(abs, { what: 'env file', display, maxBytes });
  } catch (err) {
    if (err instanceof LocalFileError && err.problem === 'missing') return undefined;
    throw err;
  }
  const lines = new Map<string, number>();
  const written = parseDotEnv(text, display, () => undefined, lines);
  const resolved = parseDotEnv(text, display, lookup);
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(written)) {
    const r = resolved[k];
    vars[k] = r !== undefined && r !== v && ADDRESS_NAME.test(k) && ADDRESS_VALUE.test(r) ? r : v;
  }
  return { display, vars, lines };
}

/**
 * Merges every service's `env_file:` files into its `environment` (in place), as compose does: the
 * files in their order (a later file wins), then `environment:` over them, except that a bare `KEY`
 * there (no value) does not hide a file's value. Paths are relative to the directory of the compose
 * file that names them. A file that is not there is marked `missing` (a required one makes compose
 * refuse the service; strisk reads on without its variables, as it does for a `${VAR}` with no
 * value); a file that cannot be read for any other reason is an error, as for `.env`.
 */
export async function applyEnvFiles(
  services: readonly ComposeService[],
  projectDir: string,
  lookup: Lookup,
  maxBytes: number,
): Promise<void> {
  const cache = new Map<string, Promise<EnvFile | undefined>>();
  for (const service of services) {
    if (!service.envFiles) continue;
    const fromFiles: Record<string, { value: string; file: string; line: number }> = {};
    for (const ref of service.envFiles) {
      const abs = path.resolve(projectDir, path.dirname(ref.file), ref.path);
      let read = cache.get(abs);
      if (!read) {
        read = readEnvFile(abs, projectDir, lookup, maxBytes);
        cache.set(abs, read);
      }
      const env = await read;
      if (!env) {
        ref.missing = true;
        continue;
      }
      for (const [k, v] of Object.entries(env.vars)) {
        fromFiles[k] = { value: redactSecret(k, v), file: env.display, line: env.lines.get(k) ?? 1 };
      }
    }
    const own = service.environment;
    const merged: ComposeService['environment'] = {};
    for (const [k, v] of Object.entries(fromFiles)) if (own[k]?.value == null) merged[k] = v;
    for (const [k, v] of Object.entries(own)) if (!(k in merged)) merged[k] = v;
    service.environment = merged;
  }
}
