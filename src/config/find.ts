import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// Apart from load.ts so that finding the config (e.g. `strisk checks`, to know whether there is
// one) loads neither yaml nor zod.
export const CONFIG_NAMES = ['strisk.config.yaml', 'strisk.config.yml'];

/** The config file for DIR: the first strisk.config.yaml found in DIR or a parent. */
export function findConfig(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
