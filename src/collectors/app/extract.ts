// Facts from the parsed modules: routes with the calls they make (through project helpers),
// middleware, FastAPI instances, calls of interest, logging dicts and settings.
import type { ModuleInfo } from './module.js';
import { descendants, lineOf, type Node, stringValue } from './parser.js';
import type { Project } from './project.js';
import type { AppFacts, Call, Middleware, Route, RouteCall, Setting, Value } from './schema.js';

const ROUTE_METHODS = new Set([
  'get',
  'post',
  'put',
  'delete',
  'patch',
  'head',
  'options',
  'api_route',
  'websocket',
]);
const CALL = new Set(['call']);
/** Top-level modules whose calls the checks read, wherever they are made. */
const INTERESTING = new Set(
  'asyncpg sqlalchemy sqlmodel redis aioredis clickhouse_connect clickhouse_driver aiochclient asynch psycopg psycopg2 psycopg_pool databases motor pymongo httpx aiohttp requests urllib urllib3 slowapi logging structlog pythonjsonlogger uvicorn hypercorn pyinstrument cProfile memory_profiler json_log_formatter ecs_logging'.split(
    ' ',
  ),
);
const BUILTINS = new Set(
  'len str int float bool dict list set tuple print isinstance range enumerate zip min max sum sorted repr type getattr setattr hasattr super map filter any all abs round iter next format'.split(
    ' ',
  ),
);
const MAX_HELPER_DEPTH = 4;

function argsOf(call: Node, mod: ModuleInfo, project: Project): Pick<Call, 'args' | 'positional'> {
  const args: Record<string, Value> = {};
  const positional: Value[] = [];
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      args[a.childForFieldName('name')!.text] = project.evaluate(a.childForFieldName('value')!, mod);
    } else positional.push(project.evaluate(a, mod));
  }
  return { args, positional };
}

function callOf(node: Node, mod: ModuleInfo, project: Project): Call {
  const fn = node.childForFieldName('function')!;
  return {
    file: mod.file,
    line: lineOf(node),
    name: fn.text.length > 80 ? `${fn.text.slice(0, 80)}…` : fn.text,
    qualified: project.qualify(fn, mod),
    awaited: node.parent?.type === 'await',
    ...argsOf(node, mod, project),
  };
}

/** Calls made in a function body and, transitively, in the project functions it calls. */
function callsIn(
  fnNode: Node,
  mod: ModuleInfo,
  project: Project,
  via: string[],
  seen: Set<string>,
): RouteCall[] {
  const body = fnNode.childForFieldName('body');
  if (!body) return [];
  const out: RouteCall[] = [];
  for (const node of descendants(body, CALL, true)) {
    const call = callOf(node, mod, project);
    const helper = project.findFunction(call.qualified);
    if (helper) {
      const key = `${helper.mod.name}.${helper.fn.name}`;
      if (!seen.has(key) && via.length < MAX_HELPER_DEPTH) {
        seen.add(key);
        out.push(...callsIn(helper.fn.node, helper.mod, project, [...via, helper.fn.name], seen));
      }
      continue;
    }
    if (BUILTINS.has(call.qualified)) continue;
    out.push({ ...call, via });
  }
  return out;
}

function routeOf(decorated: Node, mod: ModuleInfo, project: Project): Route | undefined {
  const def = decorated.childForFieldName('definition');
  if (def?.type !== 'function_definition') return undefined;
  const decorators = decorated.namedChildren.filter((d): d is Node => d?.type === 'decorator');
  let route: Route | undefined;
  const others: string[] = [];
  for (const d of decorators) {
    const expr = d.namedChild(0);
    const fn = expr?.type === 'call' ? expr.childForFieldName('function') : null;
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')!.text : undefined;
    if (!expr || !fn || !method || !ROUTE_METHODS.has(method) || route) {
      others.push(d.text.slice(1));
      continue;
    }
    const { args, positional } = argsOf(expr, mod, project);
    const path = positional[0]?.value ?? args.path?.value;
    if (typeof path !== 'string') {
      others.push(d.text.slice(1));
      continue;
    }
    const methods =
      method === 'api_route' ? (args.methods?.text.match(/[A-Z]+/g) ?? ['GET']) : [method.toUpperCase()];
    route = {
      file: mod.file,
      line: lineOf(def),
      method: methods.join(','),
      path,
      handler: def.childForFieldName('name')!.text,
      async: def.children.some((c) => c?.type === 'async'),
      owner: fn.childForFieldName('object')!.text,
      responseModel: args.response_model?.text ?? null,
      decorators: [],
      calls: [],
    };
  }
  if (!route) return undefined;
  route.decorators = others;
  route.calls = callsIn(def, mod, project, [], new Set([`${mod.name}.${route.handler}`]));
  return route;
}

function middlewareOf(call: Call, node: Node, mod: ModuleInfo, project: Project): Middleware[] {
  if (call.name.endsWith('.add_middleware')) {
    const cls = node
      .childForFieldName('arguments')
      ?.namedChildren.find((a) => a && a.type !== 'keyword_argument');
    if (!cls) return [];
    return [
      {
        file: mod.file,
        line: call.line,
        name: cls.text,
        qualified: project.qualify(cls, mod),
        how: 'add_middleware',
        args: call.args,
      },
    ];
  }
  if (/(^|\.)(FastAPI|Starlette)$/.test(call.qualified)) {
    const list = node
      .childForFieldName('arguments')
      ?.namedChildren.find((a) => a?.childForFieldName('name')?.text === 'middleware');
    const items = descendants(list?.childForFieldName('value') ?? node, CALL).filter(
      (c) => c.parent?.type === 'list',
    );
    return items.flatMap((item) => {
      const inner = callOf(item, mod, project);
      const cls = item
        .childForFieldName('arguments')
        ?.namedChildren.find((a) => a && a.type !== 'keyword_argument');
      if (!cls || !inner.qualified.endsWith('Middleware')) return [];
      return [
        {
          file: mod.file,
          line: lineOf(item),
          name: cls.text,
          qualified: project.qualify(cls, mod),
          how: 'middleware-list' as const,
          args: inner.args,
        },
      ];
    });
  }
  return [];
}

/** `{"handlers": {"file": {"class": "..."}}}` → `handlers.file.class` → value. */
function flattenDict(
  node: Node,
  mod: ModuleInfo,
  project: Project,
  prefix: string,
  out: Record<string, Value>,
): void {
  for (const pair of node.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const key = stringValue(pair.childForFieldName('key')!) ?? pair.childForFieldName('key')!.text;
    const value = pair.childForFieldName('value')!;
    const path = prefix ? `${prefix}.${key}` : key;
    if (value.type === 'dictionary') flattenDict(value, mod, project, path, out);
    else out[path] = project.evaluate(value, mod);
  }
}

function settingsOf(mod: ModuleInfo, project: Project): Setting[] {
  const out: Setting[] = [];
  for (const node of descendants(mod.tree.rootNode, new Set(['call', 'subscript']))) {
    const v = project.evaluate(node, mod);
    if (!v.env || node.parent?.type === 'call') continue;
    const assign =
      node.parent?.type === 'assignment'
        ? node.parent
        : node.parent?.parent?.type === 'assignment'
          ? node.parent.parent
          : null;
    const attribute = assign?.childForFieldName('left')?.text;
    out.push({
      file: mod.file,
      line: lineOf(node),
      env: v.env,
      ...('value' in v ? { default: v.value } : {}),
      ...(attribute ? { attribute } : {}),
    });
  }
  for (const cls of mod.classes.values()) {
    if (!project.isSettings(cls.bases, mod)) continue;
    for (const [name, attr] of cls.attrs) {
      const v = attr.value ? project.evaluate(attr.value, mod) : undefined;
      out.push({
        file: mod.file,
        line: attr.line,
        env: name.toUpperCase(),
        attribute: name,
        ...(v && 'value' in v ? { default: v.value } : {}),
      });
    }
  }
  // `os.environ.get("X").upper()` is one setting, not two: keep the one that names its attribute.
  const byKey = new Map<string, Setting>();
  for (const s of out) {
    const key = `${s.file}:${s.line}:${s.env}`;
    if (!byKey.has(key) || s.attribute) byKey.set(key, s);
  }
  return [...byKey.values()];
}

type Extracted = Pick<
  AppFacts,
  'apps' | 'routes' | 'middleware' | 'imports' | 'classes' | 'calls' | 'loggingDicts' | 'settings'
>;

export function extractModule(mod: ModuleInfo, project: Project): Extracted {
  const out: Extracted = {
    apps: [],
    routes: [],
    middleware: [],
    imports: mod.imports,
    classes: [],
    calls: [],
    loggingDicts: [],
    settings: settingsOf(mod, project),
  };
  for (const d of mod.decorated) {
    const route = routeOf(d, mod, project);
    if (route) out.routes.push(route);
    const def = d.childForFieldName('definition');
    for (const dec of d.namedChildren) {
      if (dec?.type === 'decorator' && /^@\w+\.middleware\(/.test(dec.text) && def) {
        const name = def.childForFieldName('name')!.text;
        out.middleware.push({
          file: mod.file,
          line: lineOf(dec),
          name,
          qualified: `${mod.name}.${name}`,
          how: 'decorator',
          args: {},
        });
      }
    }
  }
  for (const cls of mod.classes.values()) {
    out.classes.push({
      file: mod.file,
      line: cls.line,
      name: `${mod.name}.${cls.name}`,
      bases: cls.bases.map((b) => project.qualify(b, mod)),
    });
  }
  for (const node of descendants(mod.tree.rootNode, CALL)) {
    const call = callOf(node, mod, project);
    out.middleware.push(...middlewareOf(call, node, mod, project));
    if (/(^|\.)(FastAPI|Starlette)$/.test(call.qualified) && /^(fastapi|starlette)\./.test(call.qualified)) {
      const target =
        node.parent?.type === 'assignment' ? node.parent.childForFieldName('left')?.text : undefined;
      out.apps.push({ file: mod.file, line: call.line, name: target ?? call.name, args: call.args });
    }
    if (call.qualified.endsWith('dictConfig')) {
      let arg = node.childForFieldName('arguments')?.namedChild(0) ?? null;
      if (arg?.type === 'identifier') arg = mod.bindings.get(arg.text) ?? null;
      if (arg?.type === 'dictionary') {
        const entries: Record<string, Value> = {};
        flattenDict(arg, mod, project, '', entries);
        out.loggingDicts.push({ file: mod.file, line: call.line, entries });
      }
    }
    const top = call.qualified.split('.')[0]!;
    if (INTERESTING.has(top) || call.qualified === 'open') out.calls.push(call);
  }
  return out;
}
