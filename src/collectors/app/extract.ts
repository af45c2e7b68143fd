// Facts from the parsed modules: routes with the calls they make (through project helpers),
// middleware, FastAPI instances, calls of interest, logging dicts and settings.
import { INTERESTING } from './light.js';
import type { FunctionInfo, ModuleInfo } from './module.js';
import { functionOf, lineOf, type Node, stringValue } from './parser.js';
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
const BUILTINS = new Set(
  'len str int float bool dict list set tuple print isinstance range enumerate zip min max sum sorted repr type getattr setattr hasattr super map filter any all abs round iter next format'.split(
    ' ',
  ),
);
const MAX_HELPER_DEPTH = 4;

/**
 * The dict a `**name` argument unpacks: a dict literal or `dict(k=v)` assigned to `name` in the
 * enclosing function (the last assignment before the call) or at module level, and the keys set
 * after it in the same function body (`name["pool_size"] = 10`), which win over the dict's.
 */
function splatted(arg: Node, call: Node, mod: ModuleInfo): { dict?: Node; items: Map<string, Node> } {
  const items = new Map<string, Node>();
  const name = arg.namedChild(0);
  if (name?.type !== 'identifier') return { items };
  let fn: Node | null = call.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  let found: Node | undefined;
  for (const stmt of fn?.childForFieldName('body')?.namedChildren ?? []) {
    if (!stmt || stmt.startIndex > call.startIndex) break;
    const a = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.text === name.text) {
      found = right ?? undefined;
      items.clear();
    } else if (left?.type === 'subscript' && left.childForFieldName('value')?.text === name.text && right) {
      const key = stringValue(left.childForFieldName('subscript') ?? left);
      if (key !== undefined) items.set(key, right);
    }
  }
  return { dict: found ?? mod.bindings.get(name.text), items };
}

function argsOf(call: Node, mod: ModuleInfo, project: Project): Pick<Call, 'args' | 'positional'> {
  const args: Record<string, Value> = {};
  const positional: Value[] = [];
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      args[a.childForFieldName('name')!.text] = project.evaluate(a.childForFieldName('value')!, mod);
    } else if (a.type === 'dictionary_splat') {
      const { dict, items } = splatted(a, call, mod);
      for (const [key, value] of items) if (!(key in args)) args[key] = project.evaluate(value, mod);
      if (dict?.type === 'dictionary') {
        for (const pair of dict.namedChildren) {
          const key = pair?.type === 'pair' ? stringValue(pair.childForFieldName('key')!) : undefined;
          if (key && !(key in args)) args[key] = project.evaluate(pair!.childForFieldName('value')!, mod);
        }
      } else if (dict?.type === 'call' && dict.childForFieldName('function')?.text === 'dict') {
        for (const kw of dict.childForFieldName('arguments')?.namedChildren ?? []) {
          if (kw?.type !== 'keyword_argument') continue;
          const key = kw.childForFieldName('name')!.text;
          if (!(key in args)) args[key] = project.evaluate(kw.childForFieldName('value')!, mod);
        }
      }
    } else if (a.type !== 'list_splat') positional.push(project.evaluate(a, mod));
  }
  return { args, positional };
}

/** The leftmost name of a call's function: `redis` for `redis.asyncio.from_url`. */
const headOf = (text: string): string | undefined => /^[A-Za-z_]\w*/.exec(text)?.[0];

/**
 * The qualified name of what a call calls, when its leftmost name is bound in the module (import,
 * module-level name, function, class) or names a library the checks read; undefined otherwise
 * (`self.x()`, local variables): resolving those would give nothing, and most calls are those.
 */
type Resolved = { fn: Node; qualified: string };
/** Per call node (a node belongs to one module of one project): resolved once, however many routes reach it. */
const resolvedCalls = (project: Project) => project.memo<Node, Resolved | null>('resolvedCalls');
const callsRead = (project: Project, withArgs: boolean) =>
  project.memo<Node, Call>(withArgs ? 'callsWithArgs' : 'calls');

function resolveCall(node: Node, mod: ModuleInfo, project: Project): Resolved | undefined {
  const memo = resolvedCalls(project);
  const cached = memo.get(node);
  if (cached !== undefined) return cached ?? undefined;
  const fn = functionOf(node);
  const head = fn ? headOf(fn.text) : undefined;
  const known =
    fn &&
    head &&
    (mod.aliases.has(head) ||
      mod.bindings.has(head) ||
      mod.functions.has(head) ||
      mod.classes.has(head) ||
      INTERESTING.has(head) ||
      head === 'open');
  const out = known ? { fn, qualified: project.qualify(fn, mod) } : null;
  memo.set(node, out);
  return out ?? undefined;
}

/** A call as facts, read once per node (callers copy it before adding to it). */
function callOf(node: Node, mod: ModuleInfo, project: Project, resolved: Resolved, withArgs = true): Call {
  const cache = callsRead(project, withArgs);
  const cached = cache.get(node);
  if (cached) return cached;
  const { fn, qualified } = resolved;
  const text = fn.text;
  const call: Call = {
    file: mod.file,
    line: lineOf(node),
    name: text.length > 80 ? `${text.slice(0, 80)}…` : text,
    qualified,
    awaited: node.parent?.type === 'await',
    ...(withArgs ? argsOf(node, mod, project) : { args: {}, positional: [] }),
  };
  cache.set(node, call);
  return call;
}

const LOG_RECORD = /^(logging|structlog)\..*\.(debug|info|warning|warn|error|exception|critical|log|msg)$/;

const isInteresting = (qualified: string) => {
  const dot = qualified.indexOf('.');
  return INTERESTING.has(dot < 0 ? qualified : qualified.slice(0, dot)) || qualified === 'open';
};

const DEPENDS = /^fastapi\.(params\.)?(Depends|Security)$/;

/** The project function a `Depends(f)` / `Security(f)` / `Depends(dependency=f)` call names. */
function dependencyOf(node: Node, mod: ModuleInfo, project: Project) {
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  const dep =
    args.find((a) => a && a.type !== 'keyword_argument' && a.type !== 'comment') ??
    args.find((a) => a?.childForFieldName('name')?.text === 'dependency')?.childForFieldName('value');
  return dep ? project.findFunction(project.qualify(dep, mod)) : undefined;
}

/**
 * The `Depends(...)` calls of a type alias a parameter is annotated with: a module-level
 * `X = Annotated[T, Depends(f)]` in this module or the one it is imported from.
 */
function aliasedDepends(type: Node, mod: ModuleInfo, project: Project): { mod: ModuleInfo; node: Node }[] {
  const q = project.qualify(type, mod);
  const memo = project.memo<string, { mod: ModuleInfo; node: Node }[]>('aliasedDepends');
  const cached = memo.get(q);
  if (cached) return cached;
  const i = q.lastIndexOf('.');
  const home = i > 0 ? project.modules.get(q.slice(0, i)) : undefined;
  const bound = home?.bindings.get(q.slice(i + 1));
  const out: { mod: ModuleInfo; node: Node }[] = [];
  if (home && bound?.type === 'subscript') {
    for (const { node } of home.scan.calls) {
      if (node.startIndex < bound.startIndex || node.startIndex >= bound.endIndex) continue;
      const resolved = resolveCall(node, home, project);
      if (resolved && DEPENDS.test(resolved.qualified)) out.push({ mod: home, node });
    }
  }
  memo.set(q, out);
  return out;
}

/**
 * Calls made in a function body and, transitively, in the project functions it calls (bounded
 * depth) and in the `async def` dependencies its signature declares with `Depends(...)`: FastAPI runs
 * sync dependencies in its thread pool, async ones on the event loop. A call's arguments are read
 * only when it calls a library the checks know (see INTERESTING).
 */
export function callsIn(
  fnNode: Node,
  mod: ModuleInfo,
  project: Project,
  via: string[],
  seen: Set<string>,
): RouteCall[] {
  const out: RouteCall[] = [];
  for (const item of summaryOf(fnNode, mod, project)) {
    if ('call' in item) {
      out.push({ ...item.call, via });
      continue;
    }
    const { helper, step } = item;
    const key = `${helper.mod.name}.${helper.fn.name}`;
    if (seen.has(key) || via.length >= MAX_HELPER_DEPTH) continue;
    seen.add(key);
    out.push(...callsIn(helper.fn.node, helper.mod, project, [...via, step], seen));
  }
  return out;
}

/** A function's own part of callsIn: the helpers it follows and the calls it makes, in order. */
type SummaryItem = { helper: { mod: ModuleInfo; fn: FunctionInfo }; step: string } | { call: Call };

/**
 * What a function body calls, resolved once per function however many routes reach it (the route
 * decides only which helpers are followed: its path `via` and the helpers it has already seen).
 */
function summaryOf(fnNode: Node, mod: ModuleInfo, project: Project): SummaryItem[] {
  const memo = project.memo<Node, SummaryItem[]>('callSummaries');
  const cached = memo.get(fnNode);
  if (cached) return cached;
  const bodyStart = fnNode.childForFieldName('body')?.startIndex ?? fnNode.startIndex;
  const out: SummaryItem[] = [];
  const asyncDependency = (helper: { mod: ModuleInfo; fn: FunctionInfo } | undefined) => {
    if (helper?.fn.async) out.push({ helper, step: `Depends(${helper.fn.name})` });
  };
  // `session: SessionDep` where `SessionDep = Annotated[Session, Depends(get_session)]`.
  for (const p of fnNode.childForFieldName('parameters')?.namedChildren ?? []) {
    const type = p.childForFieldName('type')?.namedChild(0);
    if (type?.type !== 'identifier' && type?.type !== 'attribute') continue;
    for (const d of aliasedDepends(type, mod, project)) asyncDependency(dependencyOf(d.node, d.mod, project));
  }
  for (const node of mod.callsByScope.get(fnNode.startIndex) ?? []) {
    const resolved = resolveCall(node, mod, project);
    if (!resolved) continue;
    if (node.startIndex < bodyStart) {
      if (DEPENDS.test(resolved.qualified)) asyncDependency(dependencyOf(node, mod, project));
      continue;
    }
    const helper = project.findFunction(resolved.qualified);
    if (helper) {
      out.push({ helper, step: helper.fn.name });
      continue;
    }
    if (BUILTINS.has(resolved.qualified)) continue;
    out.push({ call: callOf(node, mod, project, resolved, isInteresting(resolved.qualified)) });
  }
  memo.set(fnNode, out);
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

const APP_CLASS = /^(fastapi|starlette)\.(applications\.)?(FastAPI|Starlette)$/;

/** The calls a project middleware makes per request: its async `dispatch` or `__call__`, or the decorated function. */
function middlewareCalls(fnNode: Node | undefined, mod: ModuleInfo, project: Project): RouteCall[] {
  if (!fnNode?.children.some((c) => c?.type === 'async')) return [];
  const name = fnNode.childForFieldName('name')?.text ?? '';
  return callsIn(fnNode, mod, project, [], new Set([`${mod.name}.${name}`]));
}

function classMiddlewareCalls(qualified: string, project: Project): RouteCall[] {
  const found = project.findClass(qualified);
  if (!found) return [];
  for (const stmt of found.cls.node.childForFieldName('body')?.namedChildren ?? []) {
    const def = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    const name = def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
    if (name === 'dispatch' || name === '__call__') return middlewareCalls(def!, found.mod, project);
  }
  return [];
}

/** `app.add_middleware(Cls, ...)`: a class, never an instance (dramatiq's `broker.add_middleware(M())` is not ASGI). */
function addedMiddleware(node: Node, fn: Node, mod: ModuleInfo, project: Project): Middleware | undefined {
  const cls = node
    .childForFieldName('arguments')
    ?.namedChildren.find((a) => a && a.type !== 'keyword_argument' && a.type !== 'comment');
  if (!cls || cls.type === 'call') return undefined;
  const qualified = project.qualify(cls, mod);
  return {
    file: mod.file,
    line: lineOf(node),
    name: cls.text,
    qualified,
    how: 'add_middleware',
    app: fn.childForFieldName('object')?.text ?? '',
    args: argsOf(node, mod, project).args,
    calls: classMiddlewareCalls(qualified, project),
  };
}

/** `FastAPI(middleware=[Middleware(Cls, ...), ...])`. */
function listedMiddleware(node: Node, app: string, mod: ModuleInfo, project: Project): Middleware[] {
  const list = node
    .childForFieldName('arguments')
    ?.namedChildren.find((a) => a?.childForFieldName('name')?.text === 'middleware');
  const value = list?.childForFieldName('value');
  if (value?.type !== 'list') return [];
  return value.namedChildren.flatMap((item) => {
    if (item?.type !== 'call') return [];
    const resolved = resolveCall(item, mod, project);
    const cls = item
      .childForFieldName('arguments')
      ?.namedChildren.find((a) => a && a.type !== 'keyword_argument' && a.type !== 'comment');
    if (!resolved || !cls || !resolved.qualified.endsWith('Middleware')) return [];
    const qualified = project.qualify(cls, mod);
    return [
      {
        file: mod.file,
        line: lineOf(item),
        name: cls.text,
        qualified,
        how: 'middleware-list' as const,
        app,
        args: argsOf(item, mod, project).args,
        calls: classMiddlewareCalls(qualified, project),
      },
    ];
  });
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

const CONVERTERS = new Set(['int', 'float', 'str', 'bool']);

/**
 * The expression an environment read is part of: `int(os.environ.get("X", "5"))` and
 * `os.environ.get("X").upper()` are one setting each, read whole.
 */
function outermostRead(node: Node): Node {
  let n = node;
  for (;;) {
    const p = n.parent;
    const gp = p?.parent;
    if (
      p?.type === 'argument_list' &&
      gp?.type === 'call' &&
      p.namedChildCount === 1 &&
      CONVERTERS.has(gp.childForFieldName('function')?.text ?? '')
    )
      n = gp;
    else if (
      p?.type === 'attribute' &&
      gp?.type === 'call' &&
      ['upper', 'lower', 'strip'].includes(p.childForFieldName('attribute')?.text ?? '')
    )
      n = gp;
    else return n;
  }
}

const ENV_READ =
  /(^|\.)(environ\.get|getenv|environ\.setdefault)$|^(starlette\.config\.Config|decouple\.config|decouple\.AutoConfig)\(\)?$/;

function settingsOf(mod: ModuleInfo, project: Project): Setting[] {
  const out: Setting[] = [];
  const reads: Node[] = [];
  for (const node of mod.scan.calls) {
    if (!/(environ\.get|getenv|setdefault|config)$/.test(node.fnText)) continue;
    const resolved = resolveCall(node.node, mod, project);
    if (resolved && ENV_READ.test(resolved.qualified)) reads.push(node.node);
  }
  for (const node of mod.scan.subscripts) {
    if (/environ$/.test(node.childForFieldName('value')?.text ?? '')) reads.push(node);
  }
  for (const read of reads) {
    const node = outermostRead(read);
    const v = project.evaluate(node, mod);
    if (!v.env) continue;
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
      // The class's own configuration and private attributes are not read from the environment.
      if (name === 'model_config' || name.startsWith('_')) continue;
      const v = attr.value ? project.evaluate(attr.value, mod) : undefined;
      out.push({
        file: mod.file,
        line: attr.line,
        env: project.envName(cls, name),
        attribute: name,
        ...(v && 'value' in v ? { default: v.value } : {}),
      });
    }
  }
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
  for (const d of mod.scan.decorated) {
    const route = routeOf(d, mod, project);
    if (route) out.routes.push(route);
    const def = d.childForFieldName('definition');
    for (const dec of d.namedChildren) {
      const m = dec?.type === 'decorator' ? /^@(\w+)\.middleware\(/.exec(dec.text) : null;
      if (m && def?.type === 'function_definition') {
        const name = def.childForFieldName('name')!.text;
        out.middleware.push({
          file: mod.file,
          line: lineOf(dec!),
          name,
          qualified: `${mod.name}.${name}`,
          how: 'decorator',
          app: m[1]!,
          args: {},
          calls: middlewareCalls(def, mod, project),
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
  for (const { node, fn, fnText } of mod.scan.calls) {
    if (
      fnText.endsWith('add_middleware') &&
      fn.type === 'attribute' &&
      fn.childForFieldName('attribute')?.text === 'add_middleware'
    ) {
      const m = addedMiddleware(node, fn, mod, project);
      if (m) out.middleware.push(m);
      continue;
    }
    const resolved = resolveCall(node, mod, project);
    if (!resolved) continue;
    const { qualified } = resolved;
    if (APP_CLASS.test(qualified)) {
      const target =
        node.parent?.type === 'assignment' ? node.parent.childForFieldName('left')?.text : undefined;
      const call = callOf(node, mod, project, resolved);
      out.apps.push({ file: mod.file, line: call.line, name: target ?? call.name, args: call.args });
      out.middleware.push(...listedMiddleware(node, target ?? call.name, mod, project));
    } else if (qualified.endsWith('dictConfig')) {
      let arg = node.childForFieldName('arguments')?.namedChild(0) ?? null;
      if (arg?.type === 'identifier') arg = mod.bindings.get(arg.text) ?? null;
      if (arg?.type === 'dictionary') {
        const entries: Record<string, Value> = {};
        flattenDict(arg, mod, project, '', entries);
        out.loggingDicts.push({ file: mod.file, line: lineOf(node), entries });
      }
    }
    // A log record (`logger.info("...", x=y)`) configures nothing: its arguments are not read.
    if (isInteresting(qualified))
      out.calls.push({ ...callOf(node, mod, project, resolved, !LOG_RECORD.test(qualified)) });
  }
  return out;
}
