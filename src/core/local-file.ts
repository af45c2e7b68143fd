// One reader for every local input (compose files, .env, include/extends targets, Dockerfiles, the
// config, app source): only regular files, never more than a size limit. A FIFO named compose.yaml
// would block a plain read forever, and /dev/zero or a growing file would be read until memory ran out.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from './errors.js';
import { formatBytes, parseBytes } from './units.js';
import { noteInputBytes } from './v8-flags.js';

/** Per file; enough for any hand-written compose file, Dockerfile or Python module. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Raises (or lowers) the limit: bytes, or a size such as `50MiB`. */
export const MAX_FILE_ENV = 'STRISK_MAX_FILE_SIZE';

export type LocalFileProblem = 'missing' | 'unreadable' | 'not-regular' | 'too-large';

/** A local input that cannot be read. `problem: 'missing'` lets callers treat optional files as absent. */
export class LocalFileError extends InputError {
  constructor(
    message: string,
    readonly problem: LocalFileProblem,
    file: string,
    readonly code?: string,
  ) {
    super(message, file);
    this.name = 'LocalFileError';
  }
}

/**
 * The limit for recordings strisk wrote itself (`--facts`, `--baseline`): a fleet's facts run to
 * tens of MiB (83.5 MB for 10,000 ClickHouse tables), far above an input file's limit.
 */
export const RECORDING_MAX_BYTES = 512 * 1024 * 1024;

export interface ReadOptions {
  /** What the file is, for messages: `compose file`, `env file`, `Dockerfile`, `config`. */
  what: string;
  /** The path as messages show it (default: the path read). */
  display?: string;
  /** Default: STRISK_MAX_FILE_SIZE from `env`, else DEFAULT_MAX_FILE_BYTES. */
  maxBytes?: number;
  env?: Record<string, string | undefined>;
}

/** The per-file limit in force; a malformed STRISK_MAX_FILE_SIZE is bad input (exit 2). */
export function maxFileBytes(env: Record<string, string | undefined> = process.env): number {
  const raw = env[MAX_FILE_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_FILE_BYTES;
  const n = parseBytes(raw);
  if (n === null || n < 1) {
    throw new InputError(`${MAX_FILE_ENV} expects a size such as 10MiB or 20000000, got "${raw}"`);
  }
  return n;
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openError(err: unknown, what: string, file: string): LocalFileError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new LocalFileError(`${what} not found`, 'missing', file, code);
  if (code === 'ENXIO') {
    // O_NONBLOCK on a socket file: it cannot be opened, and is not a file either.
    return new LocalFileError(`${what} is a socket, not a regular file`, 'not-regular', file, code);
  }
  const reason = code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code;
  return new LocalFileError(
    `cannot read ${what}: ${reason ?? (err as Error).message}`,
    'unreadable',
    file,
    code,
  );
}

function refuse(s: Stats, what: string, file: string): LocalFileError {
  return new LocalFileError(
    `${what} is ${kindOf(s)}, not a regular file; strisk reads only regular files`,
    'not-regular',
    file,
  );
}

function tooLarge(what: string, file: string, limit: number): LocalFileError {
  return new LocalFileError(
    `${what} is larger than ${formatBytes(limit)}, the limit per file ` +
      `(raise it with ${MAX_FILE_ENV}, e.g. ${MAX_FILE_ENV}=${formatBytes(limit * 2).replace(' ', '')})`,
    'too-large',
    file,
  );
}

// O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const CHUNK = 64 * 1024;

/**
 * Reads a regular file as UTF-8, at most the size limit. Refuses FIFOs, devices, sockets and
 * directories without blocking; the limit is enforced while reading too, so a file that grows
 * (or lies about its size, as /proc files do) is never read past it. Throws LocalFileError.
 */
export async function readLocalFile(abs: string, opts: ReadOptions): Promise<string> {
  const file = opts.display ?? abs;
  const limit = opts.maxBytes ?? maxFileBytes(opts.env);
  let fh: import('node:fs/promises').FileHandle;
  try {
    fh = await open(abs, FLAGS);
  } catch (err) {
    throw openError(err, opts.what, file);
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw refuse(s, opts.what, file);
    if (s.size > limit) throw tooLarge(opts.what, file, limit);
    noteInputBytes(s.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw tooLarge(opts.what, file, limit);
      chunks.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    if (err instanceof LocalFileError) throw err;
    throw openError(err, opts.what, file);
  } finally {
    await fh.close();
  }
}

/**
 * Opens a local input without blocking (a FIFO with no writer opens at once) and checks that it is
 * a regular file; anything else is a LocalFileError. The caller closes the descriptor.
 */
function openRegularSync(abs: string, what: string, file: string): { fd: number; stats: Stats } {
  let fd: number;
  try {
    fd = openSync(abs, FLAGS);
  } catch (err) {
    throw openError(err, what, file);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw refuse(stats, what, file);
    return { fd, stats };
  } catch (err) {
    closeSync(fd);
    throw err instanceof LocalFileError ? err : openError(err, what, file);
  }
}

/** The same for the synchronous callers (the config loader). */
export function readLocalFileSync(abs: string, opts: ReadOptions): string {
  const file = opts.display ?? abs;
  const limit = opts.maxBytes ?? maxFileBytes(opts.env);
  const { fd, stats } = openRegularSync(abs, opts.what, file);
  try {
    if (stats.size > limit) throw tooLarge(opts.what, file, limit);
    noteInputBytes(stats.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      const bytesRead = readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw tooLarge(opts.what, file, limit);
      chunks.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    if (err instanceof LocalFileError) throw err;
    throw openError(err, opts.what, file);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks, without reading it or blocking, that a local input is a regular file: for inputs read
 * later and without a size limit (a `docker save` archive runs to gigabytes). A missing file, a
 * directory, a FIFO or a device is bad input (LocalFileError, exit 2) before anything is collected.
 */
export function assertRegularFile(abs: string, opts: Pick<ReadOptions, 'what' | 'display'>): void {
  closeSync(openRegularSync(abs, opts.what, opts.display ?? abs).fd);
}

/** The line of a `JSON.parse` error's `position N`, when the message gives one. */
function jsonErrorLine(text: string, message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  return m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
}

/**
 * A recording strisk wrote (`--save-facts`, a `--format json` report), parsed as JSON: a FIFO or
 * a device is refused (it could block for ever), the size is bounded by RECORDING_MAX_BYTES, and
 * text that is not JSON is bad input at its line (`<notJson>: …`, e.g. `facts are not JSON`).
 */
export function readJsonRecording(file: string, what: string, notJson: string): unknown {
  let text: string;
  try {
    text = readLocalFileSync(file, { what, maxBytes: RECORDING_MAX_BYTES });
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${what}: ${String(err)}`, file);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InputError(`${notJson}: ${message}`, file, jsonErrorLine(text, message));
  }
}
