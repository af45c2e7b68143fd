import { ROADMAP, SECTIONS, sectionOf } from './catalogue.js';
import { API_VERSION, type CheckDefinition, type PluginDefinition, SEVERITIES } from './check.js';
import { InputError } from './errors.js';
import { SOURCE_NAMES } from './facts.js';

/** Where a plugin came from, for its messages: `./rules` (strisk.config.yaml:12) or `--plugin ./rules`. */
export interface PluginOrigin {
  /** The name the user wrote: a path or a package name; `strisk` for the built-ins. */
  label: string;
  file?: string;
  line?: number;
}

export interface LoadedPlugin {
  origin: PluginOrigin;
  namespace: string;
  section: string;
  builtin: boolean;
  checks: readonly CheckDefinition[];
}

/** Every check this run knows, built-ins first, each with its section; ids are unique. */
export interface Registry {
  plugins: readonly LoadedPlugin[];
  checks: readonly CheckDefinition[];
  byId: ReadonlyMap<string, CheckDefinition>;
  /** Report sections in order: the checklist's chapters, then each plugin's. */
  sections: readonly string[];
}

/** Namespaces only the built-ins may use: one per source, and the checklist's own groups. */
export const RESERVED_NAMESPACES: readonly string[] = [
  ...SOURCE_NAMES,
  'attest',
  'report',
  'k8s',
  'strisk',
  ...new Set(ROADMAP.map((r) => r.id.split('/')[0]!)),
];

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const KINDS = ['auto', 'attest', 'info'];

/** A plugin that cannot be used: one line naming the plugin and the problem, exit 2. */
export class PluginError extends InputError {
  constructor(origin: PluginOrigin, problem: string) {
    super(`plugin ${origin.label}: ${problem}`, origin.file, origin.line);
    this.name = 'PluginError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function checkProblem(
  check: unknown,
  index: number,
  namespaces: readonly string[],
  namespaceLabel: string,
  parseDefaults: boolean,
): string | undefined {
  if (!isObject(check)) return `checks[${index}] is not a check definition (defineCheck({...}))`;
  const id = check.id;
  if (typeof id !== 'string' || id === '') return `checks[${index}] has no id`;
  const [ns, noun, ...rest] = id.split('/');
  if (rest.length > 0 || !noun || !KEBAB.test(noun) || !ns || !namespaces.includes(ns))
    return `check id "${id}" is not ${namespaceLabel}/<noun> (kebab-case)`;
  for (const key of ['title', 'failureTitle', 'description', 'seedRef'] as const) {
    if (typeof check[key] !== 'string' || (check[key] as string).trim() === '')
      return `check ${id}: ${key} must be a non-empty string`;
  }
  if (check.section !== undefined && typeof check.section !== 'string')
    return `check ${id}: section must be a string`;
  if (!(SEVERITIES as readonly unknown[]).includes(check.severity))
    return `check ${id}: severity must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(check.severity)}`;
  if (!KINDS.includes(check.kind as string))
    return `check ${id}: kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(check.kind)}`;
  for (const key of ['requires', 'optional'] as const) {
    const list = check[key];
    if (list === undefined && key === 'optional') continue;
    if (!Array.isArray(list)) return `check ${id}: ${key} must be a list of sources`;
    const bad = list.find((s) => !(SOURCE_NAMES as readonly unknown[]).includes(s));
    if (bad !== undefined)
      return `check ${id}: ${key} names an unknown source ${JSON.stringify(bad)} (sources: ${SOURCE_NAMES.join(', ')})`;
  }
  if (typeof check.run !== 'function') return `check ${id}: run must be a function`;
  const options = check.options as { safeParse?: unknown } | undefined;
  if (!isObject(options) || typeof options.safeParse !== 'function')
    return `check ${id}: options must be a zod schema (z.object({...}) from strisk/api)`;
  if (!parseDefaults) return undefined;
  let parsed: { success: boolean; error?: { issues?: { path: PropertyKey[]; message: string }[] } };
  try {
    parsed = (options.safeParse as (v: unknown) => typeof parsed)({});
  } catch (err) {
    return `check ${id}: options schema does not parse: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (!parsed.success) {
    const issue = parsed.error?.issues?.[0];
    const at = issue?.path.map(String).join('.') || 'options';
    return `check ${id}: options schema does not parse its own defaults: ${at}: ${issue?.message ?? 'invalid'}`;
  }
  return undefined;
}

/**
 * Validates one plugin module's default export against the API and the checks already taken; the
 * first problem is thrown as a PluginError. The built-ins go through here too, owning the
 * reserved namespaces; a user plugin owns its one namespace.
 */
export function validatePlugin(
  exported: unknown,
  origin: PluginOrigin,
  taken: Map<string, string>,
  builtin = false,
): LoadedPlugin {
  const fail = (problem: string): never => {
    throw new PluginError(origin, problem);
  };
  if (!isObject(exported) || !('checks' in exported || 'namespace' in exported || 'apiVersion' in exported))
    fail(
      'does not export a plugin: its default export must be definePlugin({ apiVersion, namespace, checks })',
    );
  const def = exported as Partial<PluginDefinition>;
  if (typeof def.apiVersion !== 'number')
    fail(`states no apiVersion: add apiVersion: ${API_VERSION} to definePlugin({...})`);
  if (def.apiVersion !== API_VERSION)
    fail(
      `needs strisk API version ${def.apiVersion}, this strisk provides version ${API_VERSION}` +
        (def.apiVersion! > API_VERSION ? ' (upgrade strisk)' : ' (update the plugin)'),
    );
  if (typeof def.namespace !== 'string' || !KEBAB.test(def.namespace))
    fail(`namespace must be kebab-case (e.g. "acme"), got ${JSON.stringify(def.namespace)}`);
  const namespace = def.namespace!;
  if (!builtin && RESERVED_NAMESPACES.includes(namespace))
    fail(`namespace "${namespace}" is reserved for strisk's own checks; choose your organisation's name`);
  const clash = [...taken.entries()].find(([id]) => id.startsWith(`${namespace}/`) && !builtin);
  if (clash) fail(`namespace "${namespace}" is already used by plugin ${clash[1]}`);
  if (def.section !== undefined && (typeof def.section !== 'string' || def.section.trim() === ''))
    fail('section must be a non-empty string');
  if (!Array.isArray(def.checks) || def.checks.length === 0)
    fail('has no checks (checks: [defineCheck(...)])');
  const namespaces = builtin ? RESERVED_NAMESPACES : [namespace];
  const section = def.section ?? namespace;
  const seen = new Map<string, string>();
  const checks = def.checks!.map((check, i) => {
    // The built-ins' defaults are parsed by the registry test, not at every start (a first parse
    // compiles each zod schema: ~40 ms for 79 checks, paid again only for the checks that run).
    const problem = checkProblem(check, i, namespaces, builtin ? '<source>' : namespace, !builtin);
    if (problem) fail(problem);
    const id = check.id;
    const other = taken.get(id) ?? seen.get(id);
    if (other)
      fail(`check id ${id} is also defined by ${other === origin.label ? 'this plugin' : `plugin ${other}`}`);
    seen.set(id, origin.label);
    return builtin || check.section ? check : { ...check, section };
  });
  for (const [id, label] of seen) taken.set(id, label);
  return { origin, namespace, section, builtin, checks };
}

/** The registry of a run: the built-in plugin first, then each user plugin in the order given. */
export function buildRegistry(plugins: readonly LoadedPlugin[]): Registry {
  const checks = plugins.flatMap((p) => p.checks);
  const sections = [...SECTIONS.map((s) => s.name)];
  for (const c of checks) {
    const s = sectionOf(c);
    if (!sections.includes(s)) sections.push(s);
  }
  return { plugins, checks, byId: new Map(checks.map((c) => [c.id, c])), sections };
}
