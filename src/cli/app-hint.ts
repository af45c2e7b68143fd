// Whether an audit's command line may read an app, told before the audit is loaded: bin/strisk.js
// starts the app's parse worker as the audit starts when it may (src/collectors/app/source.ts,
// prestartWorker). Only a hint: a wrong guess costs a worker started and then ended (~12 ms of an
// audit without an app) or the head start; never a verdict, since the audit itself decides which
// sources it reads (and ends a worker it does not need).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { findConfig } from '../config/find.js';
import { readLocalFileSync } from '../core/local-file.js';

/** `app:` as a key of a YAML mapping, outside a comment: `targets:\n  app: src` or `{ app: src }`. */
const APP_KEY = /(^|[\s{,])app\s*:\s*[^\s#]/;

/**
 * `args`: what follows `audit` on the command line. True for `--app`, or a config file that names
 * an app target: the one `-c`/`--config` names, else the one found from DIR (the first argument
 * that is a directory) or from the working directory.
 */
export function mayReadApp(args: readonly string[]): boolean {
  let config: string | undefined;
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--app' || arg.startsWith('--app=')) return true;
    if (arg === '-c' || arg === '--config') config = args[++i];
    else if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
    else if (
      dir === undefined &&
      !arg.startsWith('-') &&
      statSync(arg, { throwIfNoEntry: false })?.isDirectory()
    )
      dir = arg;
  }
  const file = config ?? findConfig(resolve(dir ?? '.'));
  if (!file) return false;
  try {
    // A regular file only, never a FIFO or a device (the audit refuses those itself, exit 2).
    return readLocalFileSync(resolve(file), { what: 'config file', maxBytes: 1024 * 1024 })
      .split('\n')
      .some((line) => APP_KEY.test(line.replace(/(^|\s)#.*$/, '')));
  } catch {
    return false;
  }
}
