import { childProcess } from '../core/builtins.js';

/**
 * Runs git in `dir`, read-only, and resolves with what it printed; rejects when git is missing,
 * fails or runs past `timeoutMs`. Asynchronous, so that an audit asks while its sources are read
 * (the `git` processes, 18-27 ms each here, ran one after another at the report before). Read-only:
 * `--no-optional-locks` keeps `git status` from refreshing the index, and `core.fsmonitor=false`
 * keeps a hook that the audited repository configures from running.
 */
export function gitOutput(dir: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(
      'git',
      ['--no-optional-locks', '-c', 'core.fsmonitor=false', '-C', dir, ...args],
      { stdio: ['ignore', 'pipe', 'ignore'], timeout: timeoutMs },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve(out) : reject(new Error(`git ${args[0]}: ${signal ?? `exit ${code}`}`)),
    );
  });
}
