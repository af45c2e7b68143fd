import {
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import type { Report } from '../core/report.js';
import { loadColors } from '../reporters/color.js';
import type { RuleHelp } from '../reporters/sarif.js';
import type { TerminalOptions } from '../reporters/terminal.js';

export const FORMATS = ['terminal', 'json', 'junit', 'sarif', 'markdown', 'html', 'github'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * The formats that show what git says (the repository root SARIF and GitHub paths start from, the
 * commit in the JSON model and the HTML sign-off): for the others git is not run, three processes
 * less at start-up.
 */
export const FORMATS_SHOWING_GIT: ReadonlySet<Format> = new Set(['json', 'sarif', 'html', 'github']);

export interface OutputSpec {
  format: Format;
  /** A file path, or undefined for stdout. */
  path?: string;
}

/** `--format json`, `--format junit=reports/strisk.xml`; at most one format may go to stdout. */
export function parseFormats(values: readonly string[]): OutputSpec[] {
  const specs = (values.length > 0 ? values : ['terminal']).map((v) => {
    const [name, ...rest] = v.split('=');
    const path = rest.join('=') || undefined;
    if (!FORMATS.includes(name as Format)) {
      throw new InputError(
        `unknown format "${name}" (expected one of ${FORMATS.join(', ')}, optionally =FILE)`,
      );
    }
    return { format: name as Format, path };
  });
  if (specs.filter((s) => !s.path).length > 1) {
    throw new InputError(
      'only one --format may write to stdout; give the others a file: --format junit=FILE',
    );
  }
  return specs;
}

type Reporter = (report: Report, opts: TerminalOptions & { rules?: readonly RuleHelp[] }) => string;

// Each reporter is imported when its format is asked for: a JSON report does not load the XML
// builder the JUnit and SARIF reporters use, nor the terminal's table and colour libraries.
// The terminal's wrapping library only for a report that wraps (to a terminal's width).
const REPORTERS: Record<Format, (opts: TerminalOptions) => Promise<Reporter>> = {
  json: async () => (await import('../reporters/json.js')).jsonReport,
  junit: async () => (await import('../reporters/junit.js')).junitReport,
  terminal: async (opts) => {
    const { loadWrap, terminalReport } = await import('../reporters/terminal.js');
    const wrap = opts.width ? await loadWrap() : undefined;
    // chalk only for a coloured report: a pipe, a file or CI gets plain text without loading it.
    const colors = opts.color ? await loadColors() : undefined;
    return (report, o) => terminalReport(report, { ...o, wrap, colors });
  },
  sarif: async () => {
    const { sarifReport } = await import('../reporters/sarif.js');
    return (report, opts) => sarifReport(report, opts.rules);
  },
  markdown: async () => (await import('../reporters/markdown.js')).markdownReport,
  html: async () => (await import('../reporters/html.js')).htmlReport,
  github: async () => (await import('../reporters/github.js')).githubReport,
};

export async function render(
  report: Report,
  format: Format,
  opts: TerminalOptions & { rules?: readonly RuleHelp[] },
): Promise<string> {
  return (await REPORTERS[format](opts))(report, opts);
}

/**
 * An output as the user named it, resolved before anything is collected. A symlink is followed
 * and its target written; a FIFO, a device or `/dev/stdout` is opened and written through; a
 * regular file (or a new path) is replaced all at once: a temporary file beside it, then a rename.
 */
export interface OutputTarget {
  /** The path as given, for messages. */
  path: string;
  /** Who named it: `--format json`, `--save-facts`. */
  label: string;
  /** What is written: the end of the symlink chain. */
  target: string;
  kind: 'file' | 'special';
  /** Same key, same file: device and inode when it exists, else the real path it will have. */
  key: string;
  /** A character device (/dev/null, a terminal): writing it twice or reading it too is harmless. */
  device: boolean;
  /** The real path of the target (symlinked directories resolved), for matching inputs by name. */
  real: string;
  /** This process's own descriptor (`/dev/stdout`, `/dev/fd/3`): written to, never opened. */
  fd?: number;
  /** The mode of the regular file it replaces, kept. */
  mode?: number;
}

// The process's own descriptors: /proc links them to `pipe:[…]` or a file the shell opened, and
// they are written through, never resolved to a path and replaced.
const FD_PATH = /^\/(dev\/(stdout|stderr|fd\/\d+)|proc\/(self|thread-self|\d+)\/fd\/\d+)$/;

/** The descriptor number when `path` names one of this process's own descriptors. */
function ownDescriptor(path: string): number | undefined {
  if (path === '/dev/stdout') return 1;
  if (path === '/dev/stderr') return 2;
  const m = /^\/(?:dev|proc\/(self|thread-self|\d+))\/fd\/(\d+)$/.exec(path);
  if (!m || (m[1] && /^\d+$/.test(m[1]) && Number(m[1]) !== process.pid)) return undefined;
  return Number(m[2]);
}

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);
const identity = (st: Stats) => `${st.dev}:${st.ino}`;

function statOrUndefined(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The end of the symlink chain from `full` (which may not exist yet). */
function followLinks(full: string): string {
  let current = full;
  for (let hops = 0; hops <= 40; hops++) {
    if (FD_PATH.test(current)) return current;
    const st = statOrUndefined(current, false);
    if (!st?.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw Object.assign(new Error('too many symbolic links'), { code: 'ELOOP' });
}

/** Resolves one output path; a path that cannot be written is bad input, found before any I/O. */
export function resolveOutput(path: string, label: string): OutputTarget {
  try {
    const target = followLinks(resolve(path));
    const st = statOrUndefined(target, true);
    if (st?.isDirectory()) throw new InputError('cannot write: is a directory', path);
    if (st) {
      const special = FD_PATH.test(target) || !st.isFile();
      const common = {
        path,
        label,
        target,
        key: identity(st),
        real: special ? target : realpathSync(target),
      };
      return special
        ? { ...common, kind: 'special', device: st.isCharacterDevice(), fd: ownDescriptor(target) }
        : { ...common, kind: 'file', device: false, mode: st.mode };
    }
    // A new file: its nearest existing ancestor must be a directory (the rest is created).
    let ancestor = dirname(target);
    while (!statOrUndefined(ancestor, true)) ancestor = dirname(ancestor);
    if (!statSync(ancestor).isDirectory()) {
      throw new InputError(`cannot write: ENOTDIR (${ancestor} is not a directory)`, path);
    }
    const real = join(realpathSync(ancestor), relative(ancestor, target));
    return { path, label, target, kind: 'file', key: real, real, device: false };
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot write: ${errCode(err)}`, path);
  }
}

/**
 * What the run reads, for refusing an output that would overwrite it: files by identity, and
 * predicates for inputs found by name (Dockerfiles found in the project, the app's sources).
 */
export interface AuditInputs {
  files: { path: string; what: string }[];
  matches?: { what: string; test: (target: string) => boolean }[];
}

/**
 * Resolves every output and refuses, with exit 2 and before anything is collected: an output
 * named twice (after following symlinks), and an output that is one of the audited inputs.
 */
export function planOutputs(
  outputs: readonly { path: string; label: string }[],
  inputs: AuditInputs,
): OutputTarget[] {
  const planned = outputs.map((o) => resolveOutput(o.path, o.label));
  const inputKeys = new Map<string, string>();
  for (const input of inputs.files) {
    const full = resolve(input.path);
    let st: Stats | undefined;
    try {
      st = statSync(full);
    } catch {
      // Missing or unreadable: the collector that reads it says so; here it is a path.
    }
    inputKeys.set(st ? identity(st) : full, input.what);
  }
  const seen = new Map<string, OutputTarget>();
  for (const o of planned) {
    if (o.device) continue;
    const other = seen.get(o.key);
    if (other) {
      throw new InputError(
        `the same file is named twice as an output (${other.label}=${other.path} and ${o.label})`,
        o.path,
      );
    }
    seen.set(o.key, o);
    const what = inputKeys.get(o.key) ?? inputs.matches?.find((m) => m.test(o.real))?.what;
    if (what) throw new InputError(`${o.label} would overwrite ${what}, an input of the audit`, o.path);
  }
  return planned;
}

/**
 * Writes every output of a run, and either all the regular files or none: special files (a FIFO,
 * /dev/null) are opened, each regular file is written to a temporary file beside its target, the
 * special files are written (never replaced), and only when all that succeeded are the temporary
 * files renamed into place. On any failure no temporary file or directory created here is left.
 */
export function writeOutputs(files: readonly { output: OutputTarget; text: string }[]): void {
  const staged: { tmp: string; output: OutputTarget; renamed: boolean }[] = [];
  const opened: { fd: number; output: OutputTarget; text: string }[] = [];
  const createdDirs: string[] = [];
  let current: string | undefined;
  try {
    // Special files are opened first: opening a FIFO waits for its reader, and an interrupt
    // meanwhile must not leave temporary files behind. No O_CREAT: if the FIFO or device went away,
    // nothing is created in its place; O_APPEND: a file behind it is continued, not overwritten.
    for (const { output, text } of files) {
      if (output.kind !== 'special' || output.fd !== undefined) continue;
      current = output.path;
      opened.push({ fd: openSync(output.target, constants.O_WRONLY | constants.O_APPEND), output, text });
    }
    for (const { output, text } of files) {
      if (output.kind !== 'file') continue;
      current = output.path;
      const dir = dirname(output.target);
      const made = mkdirSync(dir, { recursive: true });
      if (made) createdDirs.push(made);
      const tmp = join(
        dir,
        `.${basename(output.target)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`,
      );
      staged.push({ tmp, output, renamed: false });
      writeFileSync(tmp, text, { flag: 'wx' });
      if (output.mode !== undefined) chmodSync(tmp, output.mode & 0o7777);
    }
    for (const o of opened) {
      current = o.output.path;
      writeFileSync(o.fd, o.text);
    }
    for (const s of staged) {
      current = s.output.path;
      renameSync(s.tmp, s.output.target);
      s.renamed = true;
    }
  } catch (err) {
    for (const s of staged) if (!s.renamed) rmSync(s.tmp, { force: true });
    if (!staged.some((s) => s.renamed))
      for (const d of createdDirs.reverse()) rmSync(d, { recursive: true, force: true });
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot write: ${errCode(err)}`, current);
  } finally {
    for (const o of opened) closeSync(o.fd);
  }
}

/**
 * The outputs that are this process's own descriptors (`/dev/stdout`), written after everything
 * else in the order given, through the same streams as the rest of the run's output.
 */
export function writeDescriptors(
  files: readonly { output: OutputTarget; text: string }[],
  stdout: (text: string) => void,
): void {
  for (const { output, text } of files) {
    if (output.fd === undefined) continue;
    try {
      if (output.fd === 1) stdout(text);
      else if (output.fd === 2) process.stderr.write(text);
      else writeFileSync(output.fd, text);
    } catch (err) {
      throw new InputError(`cannot write: ${errCode(err)}`, output.path);
    }
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a report. */
export function writeAtomic(path: string, text: string): void {
  const full = resolve(path);
  mkdirSync(dirname(full), { recursive: true });
  const tmp = `${full}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, full);
}

/** True when `target` lies inside `dir` (or is it). */
export function isInside(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}
