// Name resolution across the project's modules and static evaluation of simple expressions:
// literals, `os.environ.get("X", default)`, `int(...)`, settings attributes, `logging.DEBUG`.
import type { ClassInfo, FunctionInfo, ModuleInfo } from './module.js';
import { lineOf, type Node, stringValue } from './parser.js';
import type { Value } from './schema.js';

const LOG_LEVELS = new Set(['CRITICAL', 'FATAL', 'ERROR', 'WARNING', 'WARN', 'INFO', 'DEBUG', 'NOTSET']);
const ENV_GETTERS = new Set(['os.environ.get', 'os.getenv', 'os.environ.setdefault']);
/** Calls that read one setting from the environment: starlette's `Config` instance, python-decouple. */
const CONFIG_READERS = /^(starlette\.config\.Config\(\)|decouple\.config|decouple\.AutoConfig\(\))$/;

export class Project {
  readonly modules = new Map<string, ModuleInfo>();
  private readonly sites = new Map<string, { mod: ModuleInfo; node: Node }[]>();

  private readonly memos = new Map<string, Map<unknown, unknown>>();

  /** A cache that lives as long as the project (one collection): plain maps, cheaper than weak ones. */
  memo<K, V>(name: string): Map<K, V> {
    let m = this.memos.get(name);
    if (!m) {
      m = new Map();
      this.memos.set(name, m);
    }
    return m as Map<K, V>;
  }

  constructor(modules: ModuleInfo[]) {
    for (const m of modules) this.modules.set(m.name, m);
  }

  /**
   * The qualified name of an expression: `redis.from_url` with `import redis.asyncio as redis` is
   * `redis.asyncio.from_url`; a module-level `cache = redis.from_url(...)` makes `cache.get`
   * `redis.asyncio.from_url().get`; a project function is `pkg.mod.func`.
   */
  qualify(node: Node, mod: ModuleInfo, depth = 0): string {
    if (depth > 8) return node.text;
    const type = node.type; // each read is a call into WASM
    if (type === 'identifier') return this.expand(this.qualifyName(node.text, mod, depth), depth);
    if (type === 'attribute') {
      const obj = node.childForFieldName('object')!;
      return `${this.qualify(obj, mod, depth + 1)}.${node.childForFieldName('attribute')!.text}`;
    }
    if (type === 'call') return `${this.qualify(node.childForFieldName('function')!, mod, depth + 1)}()`;
    if (type === 'await') return this.qualify(node.namedChild(0)!, mod, depth + 1);
    return node.text;
  }

  private qualifyName(name: string, mod: ModuleInfo, depth: number): string {
    const alias = mod.aliases.get(name);
    if (alias) return alias;
    const bound = mod.bindings.get(name);
    if (bound?.type === 'call')
      return `${this.qualify(bound.childForFieldName('function')!, mod, depth + 1)}()`;
    if (mod.functions.has(name) || mod.classes.has(name) || bound) return `${mod.name}.${name}`;
    return name;
  }

  /** Replaces a leading `pkg.mod.binding` with what the binding was made from. */
  private expand(q: string, depth: number): string {
    // The longest prefix of whole dotted parts that is a module, without splitting the name.
    for (let end = q.lastIndexOf('.'); end >= 0; end = end > 0 ? q.lastIndexOf('.', end - 1) : -1) {
      const m = this.modules.get(q.slice(0, end));
      if (!m) continue;
      const next = q.indexOf('.', end + 1);
      const name = q.slice(end + 1, next < 0 ? undefined : next).replace(/\(\)$/, '');
      const bound = m.bindings.get(name);
      if (bound?.type === 'call' && depth < 8) {
        const head = `${this.qualify(bound.childForFieldName('function')!, m, depth + 1)}()`;
        return next < 0 ? head : head + q.slice(next);
      }
      return q;
    }
    return q;
  }

  /** The project function a qualified name points at, if any. */
  findFunction(q: string): { mod: ModuleInfo; fn: FunctionInfo } | undefined {
    const i = q.lastIndexOf('.');
    if (i < 0) return undefined;
    const mod = this.modules.get(q.slice(0, i));
    const fn = mod?.functions.get(q.slice(i + 1));
    return mod && fn ? { mod, fn } : undefined;
  }

  /** A class of the project by qualified name. */
  findClass(q: string) {
    const i = q.lastIndexOf('.');
    const mod = this.modules.get(q.slice(0, i));
    const cls = mod?.classes.get(q.slice(i + 1));
    return mod && cls ? { mod, cls } : undefined;
  }

  /** The value of an expression, as far as it can be known without running anything. */
  evaluate(node: Node, mod: ModuleInfo, depth = 0): Value {
    const text = node.text.length > 200 ? `${node.text.slice(0, 200)}…` : node.text;
    const out: Value = { text };
    if (depth > 6) return out;
    switch (node.type) {
      case 'integer':
        return { text, value: Number(node.text.replace(/_/g, '')) };
      case 'float':
        return { text, value: Number(node.text.replace(/_/g, '')) };
      case 'true':
        return { text, value: true };
      case 'false':
        return { text, value: false };
      case 'none':
        return { text, value: null };
      case 'string':
      case 'concatenated_string': {
        const s = stringValue(node);
        return s === undefined ? out : { text, value: s };
      }
      case 'parenthesized_expression':
        return { ...this.evaluate(node.namedChild(0)!, mod, depth + 1), text };
      case 'unary_operator': {
        const inner = this.evaluate(node.childForFieldName('argument')!, mod, depth + 1);
        return typeof inner.value === 'number' && node.text.startsWith('-')
          ? { ...inner, text, value: -inner.value }
          : out;
      }
      case 'binary_operator': {
        const l = this.evaluate(node.childForFieldName('left')!, mod, depth + 1).value;
        const r = this.evaluate(node.childForFieldName('right')!, mod, depth + 1).value;
        const op = node.childForFieldName('operator')?.text;
        if (typeof l === 'number' && typeof r === 'number') {
          const v =
            op === '*' ? l * r : op === '+' ? l + r : op === '-' ? l - r : op === '/' ? l / r : undefined;
          if (v !== undefined) return { text, value: v };
        }
        return out;
      }
      case 'subscript': {
        const q = this.qualify(node.childForFieldName('value')!, mod);
        const key = stringValue(node.childForFieldName('subscript')!);
        if (q === 'os.environ' && key) return { text, env: key };
        return out;
      }
      case 'call':
        return this.evaluateCall(node, mod, depth, out);
      case 'identifier':
      case 'attribute':
        return this.evaluateName(node, mod, depth, out);
      default:
        return out;
    }
  }

  private evaluateCall(node: Node, mod: ModuleInfo, depth: number, out: Value): Value {
    const fn = node.childForFieldName('function')!;
    const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter(
      (a): a is Node => a !== null,
    );
    const q = this.qualify(fn, mod);
    if (ENV_GETTERS.has(q) && args[0]) {
      const env = stringValue(args[0]);
      if (!env) return out;
      const dflt = args[1] ? this.evaluate(args[1], mod, depth + 1) : undefined;
      return { text: out.text, env, value: dflt && 'value' in dflt ? dflt.value : null };
    }
    // starlette's `config = Config(".env")` then `config("X", cast=int, default=20)`; python-decouple alike.
    if (CONFIG_READERS.test(q) && args[0]) {
      const env = stringValue(args[0]);
      if (!env) return out;
      const kw = (name: string) =>
        args
          .find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)
          ?.childForFieldName('value');
      const dfltNode = kw('default') ?? (args[1]?.type !== 'keyword_argument' ? args[1] : undefined);
      if (!dfltNode) return { text: out.text, env };
      const dflt = this.evaluate(dfltNode, mod, depth + 1);
      if (!('value' in dflt)) return { text: out.text, env };
      const cast = kw('cast')?.text;
      return {
        text: out.text,
        env,
        value:
          cast && ['int', 'float', 'str', 'bool'].includes(cast) ? convert(cast, dflt.value) : dflt.value,
      };
    }
    // typer: `workers: int = typer.Option(4, "--workers")`, the default first or as `default=`.
    if (q === 'typer.Option' || q === 'typer.Argument' || q === 'typer.params.Option') {
      const dflt =
        args
          .find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'default')
          ?.childForFieldName('value') ?? (args[0]?.type !== 'keyword_argument' ? args[0] : undefined);
      if (!dflt || dflt.type === 'ellipsis') return out;
      const v = this.evaluate(dflt, mod, depth + 1);
      return 'value' in v ? { ...v, text: out.text } : out;
    }
    if (['int', 'float', 'str', 'bool'].includes(q) && args.length === 1) {
      const inner = this.evaluate(args[0]!, mod, depth + 1);
      return { ...inner, text: out.text, value: convert(q, inner.value) };
    }
    if (fn.type === 'attribute' && args.length === 0) {
      const method = fn.childForFieldName('attribute')!.text;
      if (method === 'upper' || method === 'lower') {
        const inner = this.evaluate(fn.childForFieldName('object')!, mod, depth + 1);
        const v =
          typeof inner.value === 'string'
            ? method === 'upper'
              ? inner.value.toUpperCase()
              : inner.value.toLowerCase()
            : inner.value;
        return { ...inner, text: out.text, value: v };
      }
    }
    return out;
  }

  /** A module-level binding of another project module named through an import: `config.POOL_SIZE`. */
  private boundElsewhere(node: Node, mod: ModuleInfo): { mod: ModuleInfo; node: Node } | undefined {
    if (!/^[\w.]+$/.test(node.text)) return undefined;
    const [head, ...rest] = node.text.split('.');
    const alias = mod.aliases.get(head!);
    if (!alias) return undefined;
    const full = [...alias.split('.'), ...rest];
    for (let i = full.length - 1; i >= 1; i--) {
      const m = this.modules.get(full.slice(0, i).join('.'));
      if (!m) continue;
      const bound = i === full.length - 1 ? m.bindings.get(full[i]!) : undefined;
      return bound && m !== mod ? { mod: m, node: bound } : undefined;
    }
    return undefined;
  }

  private readonly callsByText = new Map<ModuleInfo, Map<string, Node[]>>();
  private byTarget: Map<string, { mod: ModuleInfo; local: string; order: number }[]> | undefined;
  private readonly order = new Map<ModuleInfo, number>();

  /** Every module's imports by what they import: `engine` of `app.main` under `app.db.engine`. */
  private aliasesByTarget(): Map<string, { mod: ModuleInfo; local: string; order: number }[]> {
    if (this.byTarget) return this.byTarget;
    const index = new Map<string, { mod: ModuleInfo; local: string; order: number }[]>();
    for (const mod of this.modules.values()) {
      this.order.set(mod, this.order.size);
      let order = 0;
      for (const [local, target] of mod.aliases) {
        const entry = { mod, local, order: order++ };
        const list = index.get(target);
        if (list) list.push(entry);
        else index.set(target, [entry]);
      }
    }
    this.byTarget = index;
    return index;
  }

  /** Calls of the project function `qualified` anywhere in the project (cached per function). */
  private callSites(qualified: string): { mod: ModuleInfo; node: Node }[] {
    const cached = this.sites.get(qualified);
    if (cached) return cached;
    const i = qualified.lastIndexOf('.');
    const [home, fname] = [qualified.slice(0, i), qualified.slice(i + 1)];
    const out: { mod: ModuleInfo; node: Node }[] = [];
    // Only the modules that import the function or its module (and the module itself), in the
    // order of the project's modules.
    const byTarget = this.aliasesByTarget();
    const direct = byTarget.get(qualified) ?? [];
    const viaModule = byTarget.get(home) ?? [];
    const homeMod = this.modules.get(home);
    const candidates = new Set([
      ...(homeMod ? [homeMod] : []),
      ...direct.map((b) => b.mod),
      ...viaModule.map((b) => b.mod),
    ]);
    for (const m of [...candidates].sort((a, b) => this.order.get(a)! - this.order.get(b)!)) {
      // In the order the module binds them (as its aliases map iterates).
      const bound = [
        ...direct.filter((b) => b.mod === m).map(({ local, order }) => ({ name: local, order })),
        ...viaModule
          .filter((b) => b.mod === m)
          .map(({ local, order }) => ({ name: `${local}.${fname}`, order })),
      ].sort((a, b) => a.order - b.order);
      const names = new Set<string>(m.name === home ? [fname] : []);
      for (const b of bound) names.add(b.name);
      // Each module's calls by the text of what they call, read once.
      let index = this.callsByText.get(m);
      if (!index) {
        index = new Map();
        for (const { node, fnText } of m.scan.calls) {
          const list = index.get(fnText);
          if (list) list.push(node);
          else index.set(fnText, [node]);
        }
        this.callsByText.set(m, index);
      }
      for (const name of names) for (const node of index.get(name) ?? []) out.push({ mod: m, node });
    }
    this.sites.set(qualified, out);
    return out;
  }

  /**
   * A parameter of the enclosing top-level function: the value its callers in the project pass
   * (the first one known), else its default. `create_engine(url, pool_size=pool_size)` inside
   * `def make_engine(pool_size=5)` called as `make_engine(pool_size=settings.POOL_SIZE)`.
   */
  private parameterValue(node: Node, mod: ModuleInfo, depth: number): Value | undefined {
    // The enclosing top-level function, by position: no walk up the tree (each step is a WASM call).
    let fn: FunctionInfo | undefined;
    const at = node.startIndex;
    for (const f of mod.functions.values()) if (f.node.startIndex <= at && at < f.end) fn = f;
    if (!fn) return undefined;
    const params = this.paramsOf(fn);
    const index = params.findIndex((p) => p.name === node.text);
    const param = params[index];
    if (!param) return undefined;
    for (const site of this.callSites(`${mod.name}.${fn.name}`)) {
      const args = (site.node.childForFieldName('arguments')?.namedChildren ?? []).filter(
        (a): a is Node => a !== null && a.type !== 'comment',
      );
      const kw = args.find(
        (a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === node.text,
      );
      const given =
        kw?.childForFieldName('value') ??
        (args[index]?.type === 'keyword_argument' ? undefined : args[index]);
      if (!given) continue;
      const v = this.evaluate(given, site.mod, depth + 2);
      if ('value' in v || v.env)
        return { ...v, from: v.from ?? { file: site.mod.file, line: lineOf(given) } };
    }
    const option = this.clickOption(fn, node.text, mod);
    if (option) {
      const v = this.evaluate(option, mod, depth + 2);
      if ('value' in v) return { ...v, from: { file: mod.file, line: lineOf(option) } };
    }
    if (!param.dflt) return undefined;
    const v = this.evaluate(param.dflt, mod, depth + 2);
    return 'value' in v ? { ...v, from: { file: mod.file, line: lineOf(param.dflt) } } : undefined;
  }

  /**
   * The `default=` of a click option that fills a parameter: `@click.option("--workers",
   * default=4)` above `def main(workers)`, which click calls (so no call site passes it).
   */
  private clickOption(fn: FunctionInfo, param: string, mod: ModuleInfo): Node | undefined {
    const decorated = fn.node.parent;
    if (decorated?.type !== 'decorated_definition') return undefined;
    const flag = `--${param.replace(/_/g, '-')}`;
    for (const d of decorated.namedChildren) {
      const call = d.type === 'decorator' ? d.namedChild(0) : null;
      const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
      const q = callee ? this.qualify(callee, mod) : '';
      if (!call || (q !== 'click.option' && q !== 'click.decorators.option')) continue;
      const args = call.childForFieldName('arguments')?.namedChildren ?? [];
      const names = args.filter((a) => a.type === 'string').map((a) => stringValue(a));
      if (!names.includes(flag) && !names.includes(param)) continue;
      return (
        args
          .find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'default')
          ?.childForFieldName('value') ?? undefined
      );
    }
    return undefined;
  }

  private readonly params = new Map<FunctionInfo, { name: string; dflt: Node | null }[]>();

  /** A function's parameters: name and default, in order (read once). */
  private paramsOf(fn: FunctionInfo): { name: string; dflt: Node | null }[] {
    let out = this.params.get(fn);
    if (out) return out;
    out = (fn.node.childForFieldName('parameters')?.namedChildren ?? []).flatMap((p) => {
      if (!p) return [];
      const name = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChild(0));
      return name ? [{ name: name.text, dflt: p.childForFieldName('value') }] : [];
    });
    this.params.set(fn, out);
    return out;
  }

  private evaluateName(node: Node, mod: ModuleInfo, depth: number, out: Value): Value {
    const elsewhere = this.boundElsewhere(node, mod);
    if (elsewhere)
      return {
        ...this.evaluate(elsewhere.node, elsewhere.mod, depth + 1),
        text: out.text,
        from: { file: elsewhere.mod.file, line: lineOf(elsewhere.node) },
      };
    if (node.type === 'identifier') {
      const param = this.parameterValue(node, mod, depth);
      if (param) return { ...param, text: out.text };
      const bound = mod.bindings.get(node.text);
      if (bound)
        return {
          ...this.evaluate(bound, mod, depth + 1),
          text: out.text,
          from: { file: mod.file, line: lineOf(bound) },
        };
    }
    const q = this.qualify(node, mod);
    const last = q.split('.').at(-1)!;
    if (q.startsWith('logging.') && LOG_LEVELS.has(last)) return { text: out.text, value: last };
    // `settings.attr` where `settings = Settings()`, or `Settings.attr`.
    const m = /^(.*?)(?:\(\))?\.([A-Za-z_]\w*)$/.exec(q);
    if (!m) return out;
    const found = this.findClass(m[1]!);
    const attr = found?.cls.attrs.get(m[2]!);
    if (!found || !attr) return out;
    const from = { file: found.mod.file, line: attr.line };
    if (!attr.value)
      return {
        text: out.text,
        from,
        ...(this.isSettings(found.cls.bases, found.mod) ? { env: this.envName(found.cls, m[2]!) } : {}),
      };
    const v = this.evaluate(attr.value, found.mod, depth + 1);
    const env =
      v.env ?? (this.isSettings(found.cls.bases, found.mod) ? this.envName(found.cls, m[2]!) : undefined);
    return { ...v, text: out.text, from, ...(env ? { env } : {}) };
  }

  /** A pydantic `BaseSettings` subclass: its fields are read from env vars of the same name. */
  /**
   * The environment variable a settings field is read from: its name upper-cased, after the
   * class's `env_prefix` (`model_config = SettingsConfigDict(env_prefix="APP_")`, a
   * `model_config` dict, or pydantic v1's inner `class Config: env_prefix = "APP_"`).
   */
  envName(cls: ClassInfo, field: string): string {
    return `${this.envPrefix(cls)}${field}`.toUpperCase();
  }

  private envPrefix(cls: ClassInfo): string {
    const memo = this.memo<ClassInfo, string>('envPrefix');
    const cached = memo.get(cls);
    if (cached !== undefined) return cached;
    let prefix = '';
    const config = cls.attrs.get('model_config')?.value;
    if (config?.type === 'call') {
      for (const a of config.childForFieldName('arguments')?.namedChildren ?? [])
        if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'env_prefix')
          prefix = stringValue(a.childForFieldName('value')!) ?? prefix;
    } else if (config?.type === 'dictionary') {
      for (const pair of config.namedChildren)
        if (pair.type === 'pair' && stringValue(pair.childForFieldName('key')!) === 'env_prefix')
          prefix = stringValue(pair.childForFieldName('value')!) ?? prefix;
    }
    for (const stmt of cls.node.childForFieldName('body')?.namedChildren ?? []) {
      if (stmt.type !== 'class_definition' || stmt.childForFieldName('name')?.text !== 'Config') continue;
      for (const inner of stmt.childForFieldName('body')?.namedChildren ?? []) {
        const a = inner.type === 'expression_statement' ? inner.namedChild(0) : null;
        if (a?.type === 'assignment' && a.childForFieldName('left')?.text === 'env_prefix')
          prefix = stringValue(a.childForFieldName('right')!) ?? prefix;
      }
    }
    memo.set(cls, prefix);
    return prefix;
  }

  isSettings(bases: Node[], mod: ModuleInfo): boolean {
    return bases.some((b) => this.qualify(b, mod).endsWith('BaseSettings'));
  }
}

function convert(fn: string, v: Value['value']): Value['value'] {
  if (v === undefined || v === null) return v;
  if (fn === 'str') return String(v);
  if (fn === 'bool')
    return typeof v === 'string' ? !['', '0', 'false', 'no'].includes(v.toLowerCase()) : Boolean(v);
  const n = Number(v);
  if (Number.isNaN(n)) return undefined;
  return fn === 'int' ? Math.trunc(n) : n;
}
