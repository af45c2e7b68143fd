// The merged model of one service → its facts, in the long syntax, with units converted.
import { InputError } from '../../core/errors.js';
import { redactInPlace } from '../../core/redact-url.js';
import { splitShortVolume, toMapForm } from './merge.js';
import type { ComposeService } from './schema.js';
import { parseBool, parseBytes, parseCount, parseCpus, parseDuration } from './units.js';
import type { LEntry, LMap, LNode } from './yaml-located.js';

type Located<T> = { value: T; file: string; line: number; raw?: string };

/** An entry, unless absent, null or `!reset`. */
function get(m: LMap | undefined, ...keys: string[]): LEntry | undefined {
  let cur: LEntry | undefined;
  let map: LMap | undefined = m;
  for (const k of keys) {
    cur = map?.entries.get(k);
    if (!cur || cur.value.tag === '!reset') return undefined;
    map = cur.value.kind === 'map' ? cur.value : undefined;
  }
  if (!cur || (cur.value.kind === 'scalar' && cur.value.value === null)) return undefined;
  return cur;
}

function text(e: LEntry, what: string): string {
  if (e.value.kind !== 'scalar') throw new InputError(`\`${what}\` must be a single value`, e.file, e.line);
  return String(e.value.value ?? '');
}

function str(e: LEntry | undefined, what: string): Located<string> | undefined {
  return e && { value: text(e, what), file: e.file, line: e.line };
}

function converted(e: LEntry | undefined, what: string, parse: (v: unknown) => number | null) {
  if (!e) return undefined;
  const raw = e.value.kind === 'scalar' ? e.value.value : undefined;
  if (raw === undefined) throw new InputError(`\`${what}\` must be a single value`, e.file, e.line);
  return { value: parse(raw), file: e.file, line: e.line, raw: String(raw) };
}

function stringOrList(e: LEntry | undefined, what: string): Located<string | string[]> | undefined {
  if (!e) return undefined;
  if (e.value.kind === 'seq')
    return { value: e.value.items.map((i) => scalarText(i, what)), file: e.file, line: e.line };
  return { value: text(e, what), file: e.file, line: e.line };
}

function scalarText(n: LNode, what: string): string {
  if (n.kind !== 'scalar') throw new InputError(`items of \`${what}\` must be single values`, n.file, n.line);
  return n.value === null ? '' : String(n.value);
}

function mapOf(e: LEntry | undefined, what: string): LMap | undefined {
  if (!e) return undefined;
  const v = toMapForm(e.value);
  if (v.kind !== 'map') throw new InputError(`\`${what}\` must be a map or a list`, e.file, e.line);
  return v;
}

function list(e: LEntry | undefined, what: string): string[] {
  if (!e) return [];
  if (e.value.kind === 'seq') return e.value.items.map((i) => scalarText(i, what));
  return [text(e, what)];
}

function healthcheck(e: LEntry | undefined): ComposeService['healthcheck'] {
  if (!e) return undefined;
  if (e.value.kind !== 'map') throw new InputError('`healthcheck` must be a map', e.file, e.line);
  const test = stringOrList(get(e.value, 'test'), 'healthcheck.test');
  const first = Array.isArray(test?.value) ? test.value[0] : test?.value;
  const disable = get(e.value, 'disable');
  const disabled =
    (disable ? parseBool(text(disable, 'healthcheck.disable')) === true : false) || first === 'NONE';
  const interval = converted(get(e.value, 'interval'), 'healthcheck.interval', parseDuration);
  return { file: e.file, line: e.line, disabled, test, intervalSeconds: interval };
}

function logging(e: LEntry | undefined): ComposeService['logging'] {
  if (!e) return undefined;
  if (e.value.kind !== 'map') throw new InputError('`logging` must be a map', e.file, e.line);
  const options: Record<string, Located<string>> = {};
  const opts = mapOf(get(e.value, 'options'), 'logging.options');
  for (const [k, o] of opts?.entries ?? []) {
    if (o.value.kind === 'scalar' && o.value.value !== null)
      options[k] = { value: String(o.value.value), file: o.file, line: o.line };
  }
  return { file: e.file, line: e.line, driver: str(get(e.value, 'driver'), 'logging.driver'), options };
}

function dependsOn(e: LEntry | undefined): ComposeService['dependsOn'] {
  const m = mapOf(e, 'depends_on');
  return [...(m?.entries.values() ?? [])].map((d) => {
    const cond = d.value.kind === 'map' ? get(d.value, 'condition') : undefined;
    return {
      service: d.key,
      condition: cond ? text(cond, 'condition') : 'service_started',
      file: d.file,
      line: d.line,
    };
  });
}

const isBindSource = (s: string) => /^[./~]/.test(s) || /^[A-Za-z]:[\\/]/.test(s);

function volumes(e: LEntry | undefined): ComposeService['volumes'] {
  if (!e) return [];
  if (e.value.kind !== 'seq') throw new InputError('`volumes` must be a list', e.file, e.line);
  return e.value.items.map((item) => {
    if (item.kind === 'scalar') {
      const v = splitShortVolume(scalarText(item, 'volumes'));
      const type = v.source === undefined ? 'volume' : isBindSource(v.source) ? 'bind' : 'volume';
      return { type, source: v.source, target: v.target, file: item.file, line: item.line };
    }
    if (item.kind !== 'map') throw new InputError('a volume must be a string or a map', item.file, item.line);
    const target = get(item, 'target');
    if (!target) throw new InputError('a volume in the long syntax needs a `target`', item.file, item.line);
    const source = get(item, 'source');
    const sourceText = source ? text(source, 'source') : undefined;
    const type = get(item, 'type');
    const typeText = type ? text(type, 'type') : sourceText && isBindSource(sourceText) ? 'bind' : 'volume';
    return {
      type: typeText,
      source: sourceText,
      target: text(target, 'target'),
      file: item.file,
      line: item.line,
    };
  });
}

/** `127.0.0.1:8080:80/tcp`, `5432`, `"9000-9001:9000-9001"`, `{target: 80}`: the container side. */
function containerPort(text: string): number | null {
  const noProto = text.replace(/\/(tcp|udp|sctp)$/i, '');
  const last = noProto.slice(noProto.lastIndexOf(':') + 1);
  const first = last.split('-')[0] ?? '';
  return /^\d+$/.test(first) ? Number(first) : null;
}

function ports(e: LEntry | undefined, published: boolean, what: string): ComposeService['ports'] {
  if (!e) return [];
  if (e.value.kind !== 'seq') throw new InputError(`\`${what}\` must be a list`, e.file, e.line);
  return e.value.items.map((item) => {
    if (item.kind === 'map') {
      const target = get(item, 'target');
      const port =
        target && target.value.kind === 'scalar' ? containerPort(String(target.value.value)) : null;
      return { container: port, published, file: item.file, line: item.line };
    }
    return { container: containerPort(scalarText(item, what)), published, file: item.file, line: item.line };
  });
}

function environment(e: LEntry | undefined): ComposeService['environment'] {
  const out: ComposeService['environment'] = {};
  for (const [k, v] of mapOf(e, 'environment')?.entries ?? []) {
    if (v.value.kind !== 'scalar')
      throw new InputError(`environment variable ${k} must be a single value`, v.file, v.line);
    const value = v.value.value === null ? null : String(v.value.value);
    out[k] = { value: value === null ? null : redactSecret(k, value), file: v.file, line: v.line };
  }
  return out;
}

/** `env_file: a.env`, `[a.env, b.env]`, `[{path: a.env, required: false}]`: paths as written, in order. */
function envFiles(e: LEntry | undefined): ComposeService['envFiles'] {
  if (!e) return undefined;
  const items = e.value.kind === 'seq' ? e.value.items : [e.value];
  const out = items.map((item) => {
    if (item.kind === 'map') {
      const p = get(item, 'path');
      if (!p)
        throw new InputError('an `env_file` entry in the long syntax needs a `path`', item.file, item.line);
      const required = get(item, 'required');
      const req = required ? parseBool(text(required, 'env_file.required')) : true;
      if (req === null)
        throw new InputError('`env_file.required` must be true or false', required!.file, required!.line);
      return { path: text(p, 'env_file.path'), required: req, file: item.file, line: item.line };
    }
    return { path: scalarText(item, 'env_file'), required: true, file: item.file, line: item.line };
  });
  const kept = out.filter((f) => f.path !== '');
  return kept.length > 0 ? kept : undefined;
}

const SECRET_NAME = /pass|secret|token|credential|private|api_?key|auth/i;

/**
 * Facts are saved (`--save-facts`) and shown: secrets from the environment never enter them. A
 * variable named like a secret keeps only whether it is set; a URL keeps everything but its password.
 */
export function redactSecret(name: string, value: string): string {
  // Empty, or an unresolved `${VAR}` kept as written: there is no secret in it to hide.
  if (value === '' || /^\$\{[^}]*\}$/.test(value)) return value;
  if (SECRET_NAME.test(name)) return '***';
  return redactInPlace(value);
}

function labels(e: LEntry | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of mapOf(e, 'labels')?.entries ?? []) {
    out[k] = v.value.kind === 'scalar' && v.value.value !== null ? String(v.value.value) : '';
  }
  return out;
}

function build(e: LEntry | undefined): ComposeService['build'] {
  if (!e) return undefined;
  if (e.value.kind === 'scalar') return { context: text(e, 'build'), file: e.file, line: e.line };
  if (e.value.kind !== 'map') throw new InputError('`build` must be a path or a map', e.file, e.line);
  const context = get(e.value, 'context');
  const dockerfile = get(e.value, 'dockerfile');
  const target = get(e.value, 'target');
  const tags = list(get(e.value, 'tags'), 'build.tags').filter((t) => t !== '');
  return {
    context: context ? text(context, 'build.context') : '.',
    dockerfile: dockerfile ? text(dockerfile, 'build.dockerfile') : undefined,
    target: target ? text(target, 'build.target') : undefined,
    ...(tags.length > 0 ? { tags } : {}),
    file: e.file,
    line: e.line,
  };
}

const drop = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function normalizeService(entry: LEntry): ComposeService {
  const s = entry.value as LMap;
  const limits = (k: string) => get(s, 'deploy', 'resources', 'limits', k);
  return drop({
    name: entry.key,
    file: entry.file,
    line: entry.line,
    image: str(get(s, 'image'), 'image'),
    build: build(get(s, 'build')),
    command: stringOrList(get(s, 'command'), 'command'),
    entrypoint: stringOrList(get(s, 'entrypoint'), 'entrypoint'),
    memoryLimit: converted(limits('memory') ?? get(s, 'mem_limit'), 'memory limit', parseBytes),
    cpuLimit: converted(limits('cpus') ?? get(s, 'cpus'), 'cpus', parseCpus),
    healthcheck: healthcheck(get(s, 'healthcheck')),
    readOnly: readOnly(get(s, 'read_only')),
    tmpfs: list(get(s, 'tmpfs'), 'tmpfs'),
    logging: logging(get(s, 'logging')),
    dependsOn: dependsOn(get(s, 'depends_on')),
    volumes: volumes(get(s, 'volumes')),
    restart: str(get(s, 'restart'), 'restart'),
    ports: [...ports(get(s, 'ports'), true, 'ports'), ...ports(get(s, 'expose'), false, 'expose')],
    replicas: converted(get(s, 'deploy', 'replicas') ?? get(s, 'scale'), 'replicas', parseCount),
    deployRestartCondition: str(
      get(s, 'deploy', 'restart_policy', 'condition'),
      'deploy.restart_policy.condition',
    ),
    networkMode: str(get(s, 'network_mode'), 'network_mode'),
    environment: environment(get(s, 'environment')),
    envFiles: envFiles(get(s, 'env_file')),
    labels: labels(get(s, 'labels')),
    profiles: list(get(s, 'profiles'), 'profiles'),
  });
}

function readOnly(e: LEntry | undefined): Located<boolean> | undefined {
  if (!e) return undefined;
  const v = parseBool(e.value.kind === 'scalar' ? e.value.value : undefined);
  // Not a boolean (an unresolved `${RO}`): left out rather than guessed.
  return v === null ? undefined : { value: v, file: e.file, line: e.line };
}
