// Reading and parsing the Python files of an app, in this thread or in worker threads. What comes
// back is each file's text with the light copy of its tree (see light.ts), or its syntax error.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { workerThreads } from '../../core/builtins.js';
import { readLocalFile, readLocalFileSync } from '../../core/local-file.js';
import { BUNDLED, bundleFile } from '../../layout.js';
import { type Flat, flatten, LightTree, type Names, namesOf } from './light.js';
import { firstSyntaxError, parsePython } from './parser.js';
import { heldWorker, holdWorker, takeWorker } from './prestarted.js';

const MAX_FILE_BYTES = 1024 * 1024;

/** Reads one local source file: undefined when it is over the size cap or unreadable. */
export async function readSourceFile(full: string): Promise<string | undefined> {
  // Found, not named by the user: a file over the limit, a FIFO or a device is passed over.
  return readLocalFile(full, { what: 'file', maxBytes: MAX_FILE_BYTES }).catch(() => undefined);
}

/** The same, synchronously: in a worker (or a loop that parses file after file) there is nothing to wait for meanwhile. */
function readSourceFileSync(full: string): string | undefined {
  try {
    return readLocalFileSync(full, { what: 'file', maxBytes: MAX_FILE_BYTES });
  } catch {
    return undefined;
  }
}

/** One file, as a worker sends it back: unreadable (nothing), a syntax error, or text and tree. */
export type Parsed =
  | { text?: undefined }
  | { text: string; error: { line: number; message: string } }
  | { text: string; flat: Flat };

/** Reads, parses and copies one file (in whichever thread runs this). */
export async function parseFile(full: string): Promise<{ parsed: Parsed; names?: Names }> {
  const text = readSourceFileSync(full);
  if (text === undefined) return { parsed: {} };
  const tree = await parsePython(text);
  try {
    const error = firstSyntaxError(tree);
    if (error) return { parsed: { text, error } };
    return { parsed: { text, flat: flatten(tree, text) }, names: namesOf(tree) };
  } finally {
    tree.delete();
  }
}

/** A parsed file ready for the analysis. */
export type Source =
  | { text?: undefined }
  | { text: string; error: { line: number; message: string } }
  | { text: string; tree: LightTree };

/** Files per message to a worker: small enough to balance the threads, large enough to be cheap. */
const BATCH = 24;
/** Below this many files, starting threads costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 150;
const WORKER_URL = BUNDLED ? bundleFile('source-worker.cjs') : new URL('./source-worker.js', import.meta.url);

/**
 * How many worker threads to parse with: none for a small app, one per core (at most 4)
 * otherwise, and none where the worker's compiled module is not beside this one (tests run the
 * TypeScript sources).
 */
export function defaultWorkers(files: number): number {
  if (files < MIN_FILES_FOR_WORKERS) return heldWorker() ? 1 : 0;
  if (!workersPossible()) return 0;
  return Math.min(availableParallelism(), 4);
}

/** A second core, and the worker's compiled module beside this one. */
function workersPossible(): boolean {
  return availableParallelism() >= 2 && existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Starts one parse worker now, for an app about to be collected (or, from bin/strisk.js, as an
 * audit starts: cancelPrestart ends it when the audit turns out to have no app): it loads
 * tree-sitter while this thread loads the audit and reads the compose files, Dockerfiles and
 * manifests, and then even a small app is parsed off this thread (the parser's load and its first
 * parse are most of a small app's time: BENCHMARKS.md, "Start-up"). Nothing
 * on one core or without the compiled worker: false then, and the caller loads the parser here.
 * The worker does not hold the process while no parse has taken it; one that fails or exits
 * before is dropped, and the parse runs here. `started`: a worker bin/strisk.js started on this
 * file before it loaded the bundle, kept instead of starting one.
 */
export function prestartWorker(started?: Worker): boolean {
  if (heldWorker()) {
    if (started) void started.terminate();
    return true;
  }
  if (!started && !workersPossible()) return false;
  const worker = started ?? startWorker();
  const drop = () => {
    if (heldWorker() === worker) holdWorker(undefined);
  };
  worker.on('error', drop).on('exit', drop).unref();
  holdWorker(worker);
  return true;
}

/** The parent's Node flags a worker accepts (see startWorker), found once per process. */
let workerFlags: string[] | undefined;

/**
 * A worker with the parent's Node flags (`--conditions`, `--import`, ...), less the ones a worker
 * refuses: per-process and V8 flags (`--max-semi-space-size=2`, `--stack-size`, `--expose-gc`,
 * `--title x`) make the Worker constructor throw, and `--input-type` fails a worker loaded from a
 * file. The constructor names the refused flags; they (and a separate value after one) are dropped.
 */
function startWorker(): Worker {
  const held = takeWorker();
  if (held) {
    held.ref();
    return held;
  }
  const start = (flags: string[]) => {
    const worker = new (workerThreads().Worker)(WORKER_URL, { execArgv: flags });
    workerFlags = flags;
    return worker;
  };
  const refused = (err: unknown) =>
    (err as { code?: unknown }).code === 'ERR_WORKER_INVALID_EXEC_ARGV'
      ? new Set(
          String((err as Error).message)
            .replace(/^[^:]*:\s*/, '')
            .split(/,\s*/),
        )
      : undefined;
  const flags = workerFlags ?? process.execArgv.filter((a) => !a.startsWith('--input-type'));
  let names: Set<string> | undefined;
  try {
    return start(flags);
  } catch (err) {
    names = refused(err);
    if (!names) throw err;
  }
  const isValueOfRefused = (a: string, prev: string | undefined) =>
    prev !== undefined && names.has(prev) && !prev.includes('=') && !a.startsWith('-');
  try {
    return start(flags.filter((a, i) => !names.has(a) && !isValueOfRefused(a, flags[i - 1])));
  } catch (err) {
    if (!refused(err)) throw err;
  }
  return start([]); // the refused flags could not be told apart: none at all
}

/** Reads and parses the files, with `workers` threads (0: in this thread), in the order given. */
export async function parseSources<T>(
  files: string[],
  workers: number,
  /** Called as each file arrives (while the workers parse the rest): what to keep of it. */
  then: (source: Source, index: number) => T,
): Promise<T[]> {
  const out: T[] = new Array(files.length);
  let names: Names | undefined;
  const settle = (i: number, p: Parsed, n: Names) => {
    out[i] = then('flat' in p ? { text: p.text, tree: new LightTree(p.text, p.flat, n) } : p, i);
  };
  if (workers <= 0) {
    for (const [i, f] of files.entries()) {
      const r = await parseFile(f);
      names ??= r.names;
      settle(i, r.parsed, names!);
    }
    return out;
  }
  let next = 0;
  let sent = 0;
  const pool: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: workers }, () => {
        const worker = startWorker();
        pool.push(worker);
        return new Promise<void>((resolve, reject) => {
          // Two batches in flight per worker: it parses the next while this thread reads the last.
          const inFlight = new Map<number, number[]>();
          const send = () => {
            const batch: number[] = [];
            while (batch.length < BATCH && next < files.length) batch.push(next++);
            if (batch.length === 0) {
              if (inFlight.size === 0) resolve();
              return;
            }
            const id = sent++;
            inFlight.set(id, batch);
            worker.postMessage({ id, files: batch.map((i) => files[i]) });
          };
          worker.on('message', (msg: { id: number; results: Parsed[]; names?: Names }) => {
            // A throw in an event handler would escape the collector: it rejects instead.
            try {
              const batch = inFlight.get(msg.id)!;
              inFlight.delete(msg.id);
              names ??= msg.names;
              for (const [k, p] of msg.results.entries()) settle(batch[k]!, p, names!);
              send();
            } catch (err) {
              inFlight.clear();
              reject(err);
            }
          });
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (inFlight.size > 0) reject(new Error(`app source worker exited (code ${code})`));
          });
          send();
          send();
        });
      }),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return out;
}
