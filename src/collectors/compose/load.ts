// Reading one compose file (parse, interpolate) and resolving `extends`, in this file or another.
import path from 'node:path';
import { InputError } from '../../core/errors.js';
import { readLocalFile } from '../../core/local-file.js';
import { interpolateTree, type Lookup, type UnresolvedAt } from './interpolate.js';
import { mergeModels, mergeService } from './merge.js';
import {
  emptyMap,
  type LEntry,
  type LMap,
  type LNode,
  parseInParts,
  parseLocatedYaml,
} from './yaml-located.js';

export interface LoadContext {
  projectDir: string;
  lookup: Lookup;
  unresolved: UnresolvedAt[];
  /** Interpolated models by absolute path, so a file read twice is reported once. */
  cache: Map<string, Promise<LMap>>;
  /** Size limit per file (STRISK_MAX_FILE_SIZE). */
  maxBytes: number;
}

/** A path as facts show it: relative to the project dir, with forward slashes. */
export function displayPath(projectDir: string, abs: string): string {
  const rel = path.relative(projectDir, abs) || path.basename(abs);
  return rel.split(path.sep).join('/');
}

async function readModel(abs: string, ctx: LoadContext): Promise<LMap> {
  const file = displayPath(ctx.projectDir, abs);
  const text = await readLocalFile(abs, { what: 'compose file', display: file, maxBytes: ctx.maxBytes });
  const docs = parseLocatedYaml(text, file);
  let model = emptyMap(file, 1);
  for (const doc of docs) model = mergeModels(model, interpolateTree(doc, ctx.lookup, ctx.unresolved));
  return checkServices(model);
}

class StreamDeclined extends Error {}

/** One service interpolated as it would be inside its file's `services:` (the same places). */
function interpolateService(raw: LEntry, lookup: Lookup, unresolved: UnresolvedAt[]): LEntry {
  const one = (key: string, value: LNode): LMap => ({
    ...emptyMap(raw.file, raw.line),
    entries: new Map([[key, { key, file: raw.file, line: raw.line, value }]]),
  });
  const root = interpolateTree(one('services', one(raw.key, raw.value)), lookup, unresolved);
  const services = root.entries.get('services')?.value as LMap;
  return services.entries.get(raw.key) as LEntry;
}

/**
 * One compose file read a service at a time (parseInParts with a callback): each service is
 * interpolated and checked as readModel would, and handed to `onService` (in file order), then
 * dropped, so that the file's located tree never exists whole. Returns the file's model without
 * its services (`services` is an empty map), with `ctx.unresolved` in the order readModel gives.
 * Returns undefined, and the caller must discard what onService was given and use loadResolved,
 * when the file is not of the shape parseInParts takes, or has anything this path does not do:
 * `extends`, `include`, a tag (`!reset`, `!override`) on a service, an error of any kind (the
 * whole-file path then reports it at its file:line, as always).
 */
export async function loadStreamed(
  abs: string,
  ctx: LoadContext,
  onService: (entry: LEntry) => void,
): Promise<LMap | undefined> {
  const file = displayPath(ctx.projectDir, abs);
  const text = await readLocalFile(abs, { what: 'compose file', display: file, maxBytes: ctx.maxBytes });
  // Reported once per variable and place; a shared anchor is interpolated again in each service.
  const servicesUnresolved: UnresolvedAt[] = [];
  const seen = new Set<string>();
  let docs: LMap[] | undefined;
  try {
    docs = parseInParts(text, file, (raw) => {
      if (raw.value.tag) throw new StreamDeclined();
      const own: UnresolvedAt[] = [];
      const entry = checkService(raw.key, interpolateService(raw, ctx.lookup, own));
      for (const u of own) {
        const key = `${u.variable}\0${u.file}\0${u.line}`;
        if (!seen.has(key)) {
          seen.add(key);
          servicesUnresolved.push(u);
        }
      }
      if ((entry.value as LMap).entries.has('extends')) throw new StreamDeclined();
      onService(entry);
    });
  } catch (err) {
    if (err instanceof StreamDeclined) return undefined;
    throw err;
  }
  const doc = docs?.[0];
  if (!doc) return undefined;
  // The keys before `services:` and after it, interpolated apart so that the unresolved references
  // come in file order: head, services, tail.
  const keys = [...doc.entries];
  const at = keys.findIndex(([k]) => k === 'services') + 1;
  const headUnresolved: UnresolvedAt[] = [];
  const tailUnresolved: UnresolvedAt[] = [];
  const head = interpolateTree({ ...doc, entries: new Map(keys.slice(0, at)) }, ctx.lookup, headUnresolved);
  const tail = interpolateTree({ ...doc, entries: new Map(keys.slice(at)) }, ctx.lookup, tailUnresolved);
  const model = checkServices(
    mergeModels(emptyMap(file, 1), { ...doc, entries: new Map([...head.entries, ...tail.entries]) }),
  );
  if (model.entries.has('include')) return undefined;
  for (const list of [headUnresolved, servicesUnresolved, tailUnresolved])
    for (const u of list) ctx.unresolved.push(u);
  return model;
}

/** Parses and interpolates a file once per run. */
export function loadModel(abs: string, ctx: LoadContext): Promise<LMap> {
  let p = ctx.cache.get(abs);
  if (!p) {
    p = readModel(abs, ctx);
    ctx.cache.set(abs, p);
  }
  return p;
}

/** A service must be a map (one left empty, `api:`, counts as an empty map). */
function checkService(name: string, e: LEntry): LEntry {
  if (e.value.tag === '!reset') return e;
  if (e.value.kind === 'scalar' && e.value.value === null) return { ...e, value: emptyMap(e.file, e.line) };
  if (e.value.kind === 'map') return e;
  throw new InputError(`service "${name}" must be a map, found a ${kindName(e.value.kind)}`, e.file, e.line);
}

/** `services` must be a map of maps. */
function checkServices(model: LMap): LMap {
  const services = model.entries.get('services');
  if (!services) return model;
  const v = services.value;
  const out = new Map<string, LEntry>();
  if (v.kind === 'map') {
    for (const [name, e] of v.entries) out.set(name, checkService(name, e));
  } else if (!(v.kind === 'scalar' && v.value === null)) {
    throw new InputError(
      `\`services\` must be a map of service names, found a ${kindName(v.kind)}`,
      services.file,
      services.line,
    );
  }
  const entries = new Map(model.entries);
  entries.set('services', { ...services, value: { ...emptyMap(v.file, v.line), entries: out } });
  return { ...model, entries };
}

function kindName(kind: string): string {
  return kind === 'seq' ? 'list' : kind;
}

export function servicesOf(model: LMap): Map<string, LEntry> {
  const s = model.entries.get('services')?.value;
  // Only maps: a `!reset` with no earlier service to reset is not a service.
  return new Map(s?.kind === 'map' ? [...s.entries].filter(([, e]) => e.value.kind === 'map') : []);
}

interface ExtendsRef {
  service: string;
  file?: string;
}

function extendsRef(e: LEntry): ExtendsRef {
  const v = e.value;
  if (v.kind === 'scalar' && v.value !== null) return { service: String(v.value) };
  if (v.kind === 'map') {
    const service = v.entries.get('service')?.value;
    const file = v.entries.get('file')?.value;
    if (service?.kind === 'scalar' && service.value !== null) {
      return {
        service: String(service.value),
        file: file?.kind === 'scalar' && file.value !== null ? String(file.value) : undefined,
      };
    }
  }
  throw new InputError('`extends` expects a service name or { service, file }', e.file, e.line);
}

/** Resolves `extends` for every service of a model read from `abs`. */
export async function applyExtends(model: LMap, abs: string, ctx: LoadContext): Promise<LMap> {
  const services = servicesOf(model);
  if (![...services.values()].some((e) => e.value.kind === 'map' && e.value.entries.has('extends')))
    return model;
  const s = model.entries.get('services') as LEntry;
  // Every entry, `!reset` ones included: they still apply to the files merged before this one.
  const resolved = new Map((s.value as LMap).entries);
  for (const [name, e] of services) {
    resolved.set(name, { ...e, value: await resolveService(e, abs, model, ctx, [`${abs}#${name}`]) });
  }
  const entries = new Map(model.entries);
  entries.set('services', { ...s, value: { ...(s.value as LMap), entries: resolved } });
  return { ...model, entries };
}

async function resolveService(
  entry: LEntry,
  abs: string,
  model: LMap,
  ctx: LoadContext,
  stack: string[],
): Promise<LMap> {
  const svc = entry.value as LMap;
  const ext = svc.entries.get('extends');
  if (!ext) return svc;
  const ref = extendsRef(ext);
  const baseAbs = ref.file ? path.resolve(path.dirname(abs), ref.file) : abs;
  const key = `${baseAbs}#${ref.service}`;
  if (stack.includes(key)) {
    throw new InputError(`\`extends\` loops back to service "${ref.service}"`, ext.file, ext.line);
  }
  const baseModel = baseAbs === abs ? model : await loadModel(baseAbs, ctx);
  const baseEntry = servicesOf(baseModel).get(ref.service);
  if (!baseEntry) {
    const where = ref.file ? ` in ${displayPath(ctx.projectDir, baseAbs)}` : '';
    throw new InputError(`\`extends\`: service "${ref.service}" not found${where}`, ext.file, ext.line);
  }
  const base = await resolveService(baseEntry, baseAbs, baseModel, ctx, [...stack, key]);
  const own = new Map(svc.entries);
  own.delete('extends');
  return mergeService(base, { ...svc, entries: own });
}

function includePaths(e: LEntry): { paths: string[]; file: string; line: number }[] {
  const items = e.value.kind === 'seq' ? e.value.items : [e.value];
  return items.map((item) => {
    const at = { file: item.file, line: item.line };
    if (item.kind === 'scalar' && item.value !== null) return { paths: [String(item.value)], ...at };
    const p = item.kind === 'map' ? item.entries.get('path')?.value : undefined;
    if (p?.kind === 'scalar' && p.value !== null) return { paths: [String(p.value)], ...at };
    if (p?.kind === 'seq')
      return { paths: p.items.map((i) => (i.kind === 'scalar' ? String(i.value) : '')), ...at };
    throw new InputError('`include` expects paths or { path }', item.file, item.line);
  });
}

/**
 * Reads a file with its `extends` and top-level `include`s resolved. Included files come first, so
 * the including file's own values win. (Their own `.env` / `project_directory` are not read: the
 * including project's environment is used.)
 */
export async function loadResolved(abs: string, ctx: LoadContext, stack: string[] = []): Promise<LMap> {
  if (stack.includes(abs))
    throw new InputError('`include` loops back to this file', displayPath(ctx.projectDir, abs));
  const own = await applyExtends(await loadModel(abs, ctx), abs, ctx);
  const include = own.entries.get('include');
  if (!include) return own;
  let model = emptyMap(own.file, 1);
  for (const inc of includePaths(include)) {
    for (const p of inc.paths) {
      const target = path.resolve(path.dirname(abs), p);
      try {
        model = mergeModels(model, await loadResolved(target, ctx, [...stack, abs]));
      } catch (err) {
        if (err instanceof InputError && err.message === 'compose file not found' && err.line === undefined) {
          throw new InputError(`included file not found: ${p}`, inc.file, inc.line);
        }
        throw err;
      }
    }
  }
  const entries = new Map(own.entries);
  entries.delete('include');
  return mergeModels(model, { ...own, entries });
}
