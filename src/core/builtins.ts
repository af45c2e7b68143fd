// Node modules that only some runs use, required when first used rather than imported: loading
// child_process (with the net and dgram it loads) and worker_threads costs every start-up
// milliseconds, and a static audit with a terminal report runs git never and workers rarely.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** node:child_process (git, `node --check` of a plugin). */
export const childProcess = (): typeof import('node:child_process') => require('node:child_process');

/** node:worker_threads (the app collector's parse workers). */
export const workerThreads = (): typeof import('node:worker_threads') => require('node:worker_threads');

/** node:v8 (the audit's V8 flags): it loads node:stream with it. */
export const v8 = (): typeof import('node:v8') => require('node:v8');
