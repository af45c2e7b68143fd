import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Addresses written by scripts/test-services.sh start. */
export function serviceEnv(): Record<string, string> {
  const file = resolve(
    process.env.STRISK_SERVICES_DIR ?? resolve(import.meta.dirname, '../../.tmp/services'),
    'env',
  );
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/**
 * The address of a test service. A missing one is a failure, never a silent skip: run
 * `scripts/test-services.sh start` (npm test does).
 */
export function requireService(key: string): string {
  const value = serviceEnv()[key];
  if (!value) {
    throw new Error(`test service ${key} is not running: start it with scripts/test-services.sh start`);
  }
  return value;
}
