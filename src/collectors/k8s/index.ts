// The k8s collector: Kubernetes manifests (plain YAML, multi-document files, `helm template`,
// `kustomize build` and `kubectl get -o yaml` output, List objects) with file:line of every object.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../core/errors.js';
import type { TargetFacts } from '../../core/facts.js';
import { maxFileBytes, readLocalFile } from '../../core/local-file.js';
import { byText } from '../../core/order.js';
import { noteInputBytes } from '../../core/v8-flags.js';
import { displayPath } from '../compose/load.js';
import { type LMap, parseLocatedYaml } from '../compose/yaml-located.js';
import { conformed } from '../conforms.js';
import { type InlineIgnore, scanInlineIgnores } from '../inline-ignores.js';
import { addObject, emptyCollected } from './objects.js';
import { type K8sFacts, K8sFactsSchema } from './schema.js';

export interface K8sOptions {
  projectDir: string;
  /** `--k8s PATH` (files or directories, `-` for stdin); else the project's manifest directories. */
  paths?: string[];
  /** What `-` reads (default: process.stdin). */
  stdin?: () => Promise<string>;
  env?: Record<string, string | undefined>;
}

/** Directories of the project looked into when no `--k8s` is given. */
export const MANIFEST_DIRS = ['k8s', 'kubernetes', 'deploy', 'manifests'];
const YAML_FILE = /\.ya?ml$/i;
/** Files in manifest directories that are not manifests: Helm and Kustomize inputs. */
const NOT_MANIFEST = /^(Chart|values(\.[\w-]+)?|kustomization|Kustomization|\.?helmfile|Chart\.lock)\.ya?ml$/;
export const STDIN_NAME = '<stdin>';

interface Found {
  abs: string;
  /** Given by the user: a file that is not a manifest is an error, not a skip. */
  explicit: boolean;
}

async function walk(
  dir: string,
  explicit: boolean,
  out: Found[],
  skipped: K8sFacts['skipped'],
  projectDir: string,
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  // A Helm chart's templates are not YAML until rendered: say so, and how to give them.
  if (entries.some((e) => e.isFile() && e.name === 'Chart.yaml')) {
    skipped.push({
      file: displayPath(projectDir, dir),
      reason: 'a Helm chart: render it (helm template … | strisk audit --k8s -)',
    });
    return;
  }
  for (const e of entries.sort((a, b) => byText(a.name, b.name))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) await walk(abs, explicit, out, skipped, projectDir);
    else if (e.isFile() && YAML_FILE.test(e.name)) {
      if (NOT_MANIFEST.test(e.name))
        skipped.push({
          file: displayPath(projectDir, abs),
          reason: 'a Helm or Kustomize input, not a manifest',
        });
      else out.push({ abs, explicit });
    }
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks);
  noteInputBytes(text.length);
  return text.toString('utf8');
}

/** A document that is no Kubernetes object at all (a compose file, an Ansible play in deploy/). */
function notAnObject(doc: LMap): boolean {
  return !doc.entries.has('kind') && !doc.entries.has('apiVersion');
}

function parseDocs(text: string, file: string): LMap[] {
  try {
    return parseLocatedYaml(text, file);
  } catch (err) {
    // The YAML reader is shared with compose; its words about the top level are compose's.
    if (err instanceof InputError && err.message.startsWith('expected a map at the top level'))
      throw new InputError(
        'expected a Kubernetes object (a map with apiVersion and kind) at the top level',
        err.file,
        err.line,
      );
    if (err instanceof InputError)
      throw new InputError(err.message.replace('a compose file', 'a manifest'), err.file, err.line);
    throw err;
  }
}

/** Returns [] when no manifest is found and none was given. */
export async function collectK8s(opts: K8sOptions): Promise<TargetFacts<K8sFacts>[]> {
  const started = performance.now();
  const projectDir = path.resolve(opts.projectDir);
  const maxBytes = maxFileBytes(opts.env ?? process.env);
  const found: Found[] = [];
  const skipped: K8sFacts['skipped'] = [];
  const given = opts.paths ?? [];
  let stdinText: string | undefined;
  if (given.length > 0) {
    for (const p of given) {
      if (p === '-') {
        if (stdinText === undefined) {
          stdinText = await (opts.stdin ?? readStdin)();
          if (Buffer.byteLength(stdinText) > maxBytes)
            throw new InputError(
              `manifests on stdin are larger than the limit of ${maxBytes} bytes (STRISK_MAX_FILE_SIZE)`,
              STDIN_NAME,
            );
        }
        continue;
      }
      const abs = path.resolve(projectDir, p);
      if (await isDir(abs)) await walk(abs, true, found, skipped, projectDir);
      else found.push({ abs, explicit: true });
    }
  } else {
    for (const d of MANIFEST_DIRS) {
      const abs = path.join(projectDir, d);
      if (await isDir(abs)) await walk(abs, false, found, skipped, projectDir);
    }
  }

  const collected = emptyCollected();
  const files: string[] = [];
  // Inline `# strisk-ignore` comments of the manifests read, as for compose files and Dockerfiles.
  const ignores: InlineIgnore[] = [];
  const read = (text: string, file: string, explicit: boolean) => {
    const docs = parseDocs(text, file);
    // In a directory strisk looked into itself, a YAML file of no Kubernetes object is not ours.
    if (!explicit && docs.length > 0 && docs.every(notAnObject)) {
      skipped.push({ file, reason: 'no Kubernetes object (no apiVersion or kind)' });
      return;
    }
    for (const doc of docs) addObject(doc, collected);
    files.push(file);
    ignores.push(...scanInlineIgnores(file, text));
  };
  if (stdinText !== undefined) read(stdinText, STDIN_NAME, true);
  for (const f of found) {
    const file = displayPath(projectDir, f.abs);
    read(
      await readLocalFile(f.abs, { what: 'Kubernetes manifest', display: file, maxBytes }),
      file,
      f.explicit,
    );
  }
  if (files.length === 0 && given.length === 0) return [];
  const data = conformed(K8sFactsSchema, {
    files,
    skipped,
    ...collected,
    ...(ignores.length > 0 ? { ignores } : {}),
  });
  return [
    {
      target: files.length === 1 ? (files[0] as string) : `${files.length} manifest files`,
      status: 'ok',
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      data,
    },
  ];
}
