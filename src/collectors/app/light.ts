// A light copy of a tree-sitter tree: the nodes the analysis reads, as flat arrays (one walk with a
// cursor inside the parser's thread), then as plain JavaScript nodes. The WASM tree is freed right
// after the copy, the copy can be sent from a worker thread, and reading it costs no call into WASM.
import type { Tree } from 'web-tree-sitter';

/** What the analysis reads of a node: the subset of web-tree-sitter's `Node` it uses. */
export interface Node {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { row: number; column: number };
  readonly parent: Node | null;
  readonly children: Node[];
  readonly namedChildren: Node[];
  readonly namedChildCount: number;
  namedChild(i: number): Node | null;
  childForFieldName(name: string): Node | null;
  childrenForFieldName(name: string): Node[];
}

/** Node type and field names of the grammar, by id (the same in every thread). */
export interface Names {
  types: string[];
  named: boolean[];
  fields: (string | null)[];
}

/**
 * One module's kept nodes, in document order (pre-order): 5 ints each, type id, field id, start,
 * end (UTF-16 indices into the source) and the parent's position (-1 for the root).
 */
export interface Flat {
  data: Int32Array;
}

const STRIDE = 5;

/** Top-level modules whose calls the checks read, wherever they are made. */
export const INTERESTING = new Set(
  'asyncpg sqlalchemy sqlmodel redis aioredis clickhouse_connect clickhouse_driver aiochclient asynch psycopg psycopg2 psycopg_pool databases motor pymongo httpx aiohttp requests urllib urllib3 slowapi fastapi_limiter ratelimit limits logging structlog pythonjsonlogger uvicorn hypercorn pyinstrument cProfile memory_profiler json_log_formatter ecs_logging'.split(
    ' ',
  ),
);

/** How a node's children are kept. */
enum Mode {
  /** Every named descendant (and the anonymous ones under a field). */
  Full = 0,
  /** Module level: statements whole, definitions by their own rule, compound statements walked. */
  Module = 1,
  /** Children of a `def`: the body walked, the rest whole. */
  Func = 2,
  /** Children of a `class`: the body walked, the rest whole. */
  Class = 3,
  /** Children of a decorated definition. */
  Decorated = 4,
  /** A class body's statements. */
  ClassBody = 5,
  /** Code inside a function: kept on the way to calls, subscripts and definitions, and assignments' targets. */
  Code = 6,
  /** A call nothing resolves (`self.x()`, a local): its function whole, its arguments as stubs. */
  Shallow = 7,
  /** The arguments of such a call: each one kept without its children unless a call is inside. */
  Stubs = 8,
  /** Kept without children. */
  Leaf = 9,
}

const MODULE_COMPOUND = new Set([
  'if_statement',
  'try_statement',
  'with_statement',
  'else_clause',
  'elif_clause',
  'except_clause',
  'finally_clause',
  'block',
]);
/** Anonymous children the analysis reads: `async`, and operators (which sit under a field). */
const ANON_PARENTS = new Set([
  'binary_operator',
  'unary_operator',
  'boolean_operator',
  'comparison_operator',
]);
/** Types that never have named children: no need to ask. */
const LEAVES = new Set([
  'identifier',
  'integer',
  'float',
  'true',
  'false',
  'none',
  'comment',
  'string_content',
  'escape_sequence',
  'string_start',
  'string_end',
]);

let namesCache: Names | undefined;

/** The grammar's names, read once from a tree's language. */
export function namesOf(tree: Tree): Names {
  if (namesCache) return namesCache;
  const lang = tree.language;
  const types: string[] = [];
  const named: boolean[] = [];
  for (let i = 0; i < lang.nodeTypeCount; i++) {
    types.push(lang.nodeTypeForId(i) ?? '');
    named.push(lang.nodeTypeIsNamed(i));
  }
  const fields: (string | null)[] = [];
  for (let i = 0; i <= lang.fieldCount; i++) fields.push(lang.fieldNameForId(i));
  namesCache = { types, named, fields };
  return namesCache;
}

/** Sorted positions; `within(s, e)` says whether one lies in [s, e). */
function positions(list: number[], sorted = false): (s: number, e: number) => boolean {
  if (!sorted) list.sort((a, b) => a - b);
  return (s, e) => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length && list[lo]! < e;
  };
}

function occurrences(source: string, word: string): number[] {
  const out: number[] = [];
  for (let i = source.indexOf(word); i >= 0; i = source.indexOf(word, i + 1)) out.push(i);
  return out;
}

const WORD = /[A-Za-z_]\w*/g;
const HEAD = /[A-Za-z_]\w*/y;
const DEF_NAME = /(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/y;
const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

/**
 * The names a module binds at its top level, as readModule reads them (imports, functions and
 * classes, `name = ...`, also inside top-level `if`/`try`/`with` blocks), plus the libraries the
 * checks read and `open`/`dict`. A call inside a function whose leftmost name is none of these
 * resolves to nothing (see resolveCall), so its arguments need not be kept. Every word of an
 * import counts, so the set may be larger than the module's names, never smaller.
 */
export function topLevelNames(tree: Tree, source: string, types: string[]): Set<string> {
  const out = new Set<string>(INTERESTING);
  out.add('open');
  out.add('dict');
  const c = cursorOf(tree);
  const nameAt = (start: number, re: RegExp) => {
    re.lastIndex = start;
    return re.exec(source)?.[1];
  };
  const statements = () => {
    if (!c.first()) return;
    do {
      const type = types[c.typeId()]!;
      if (IMPORTS.has(type)) {
        for (const w of source.slice(c.start(), c.end()).matchAll(WORD)) out.add(w[0]);
      } else if (type === 'function_definition' || type === 'class_definition') {
        const name = nameAt(c.start(), DEF_NAME);
        if (name) out.add(name);
      } else if (type === 'decorated_definition') {
        // The definition is the last child, after the decorators.
        if (c.first()) {
          let start = c.start();
          while (c.next()) start = c.start();
          const name = nameAt(start, DEF_NAME);
          if (name) out.add(name);
          c.parent();
        }
      } else if (type === 'expression_statement') {
        if (c.first()) {
          if (types[c.typeId()] === 'assignment' && c.first()) {
            if (types[c.typeId()] === 'identifier') out.add(source.slice(c.start(), c.end()));
            c.parent();
          }
          c.parent();
        }
      } else if (MODULE_COMPOUND.has(type)) statements();
    } while (c.next());
    c.parent();
  };
  statements();
  c.done();
  return out;
}

/** A tree cursor reduced to what flatten calls. */
interface Cursor {
  typeId(): number;
  fieldId(): number;
  start(): number;
  end(): number;
  first(): boolean;
  next(): boolean;
  parent(): boolean;
  done(): void;
}

/**
 * The WASM module's own cursor functions, when web-tree-sitter's module object was kept (see
 * parser.ts): each call then goes straight to WASM. web-tree-sitter's TreeCursor copies the
 * cursor's four words into and out of the module's transfer buffer around every call, and that
 * copying is most of the cost of a walk (5 × faster without it on polar).
 */
export interface RawModule {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
}

let raw: { m: RawModule; buffer: number } | undefined;

/** Called once web-tree-sitter is initialised with `module` as its options object. */
export function useRawModule(m: Partial<RawModule> | undefined): void {
  const fns = [
    '_ts_init',
    '_ts_tree_cursor_goto_first_child_wasm',
    '_ts_tree_cursor_goto_next_sibling_wasm',
    '_ts_tree_cursor_goto_parent_wasm',
    '_ts_tree_cursor_current_node_type_id_wasm',
    '_ts_tree_cursor_current_field_id_wasm',
    '_ts_tree_cursor_start_index_wasm',
    '_ts_tree_cursor_end_index_wasm',
  ] as const;
  // Anything missing (another web-tree-sitter build): the public cursor, same result.
  raw =
    m && m.HEAP32 instanceof Int32Array && fns.every((f) => typeof m[f] === 'function')
      ? { m: m as RawModule, buffer: (m as RawModule)._ts_init() }
      : undefined;
}

/** Whether flatten goes straight to WASM (for the test that compares both ways). */
export const rawCursorInUse = () => raw !== undefined;

function cursorOf(tree: Tree, publicOnly = forcePublic): Cursor {
  const c = tree.walk();
  const handles = (c as unknown as { handles?: number[] }).handles;
  const address = (tree as unknown as Record<number, unknown>)[0];
  if (raw && !publicOnly && Array.isArray(handles) && handles.length === 4 && typeof address === 'number') {
    const { m, buffer } = raw;
    const at = buffer >> 2;
    // The cursor lives in the transfer buffer for the whole walk; nothing else runs meanwhile.
    for (let i = 0; i < 4; i++) m.HEAP32[at + i] = handles[i]!;
    return {
      typeId: () => m._ts_tree_cursor_current_node_type_id_wasm(address),
      fieldId: () => m._ts_tree_cursor_current_field_id_wasm(address),
      start: () => m._ts_tree_cursor_start_index_wasm(address),
      end: () => m._ts_tree_cursor_end_index_wasm(address),
      first: () => m._ts_tree_cursor_goto_first_child_wasm(address) === 1,
      next: () => m._ts_tree_cursor_goto_next_sibling_wasm(address) === 1,
      parent: () => m._ts_tree_cursor_goto_parent_wasm(address) === 1,
      done: () => {
        // Back into the object, whose delete() frees what the walk may have reallocated.
        for (let i = 0; i < 4; i++) handles[i] = m.HEAP32[at + i]!;
        c.delete();
      },
    };
  }
  return {
    typeId: () => c.nodeTypeId,
    fieldId: () => c.currentFieldId,
    start: () => c.startIndex,
    end: () => c.endIndex,
    first: () => c.gotoFirstChild(),
    next: () => c.gotoNextSibling(),
    parent: () => c.gotoParent(),
    done: () => c.delete(),
  };
}

let forcePublic = false;
/** Makes flatten use web-tree-sitter's public cursor (for the test that compares both ways). */
export function forcePublicCursor(on: boolean): void {
  forcePublic = on;
}

/**
 * Copies what the analysis reads of a tree (see Mode): module-level statements whole; of each
 * definition its name, parameters and decorators; class attributes; and inside function bodies
 * the calls that can resolve to something whole, other calls' functions, assignments' targets and
 * the nodes on the way to them. The rest (most of a function body's expressions) is left out.
 */
export function flatten(tree: Tree, source: string): Flat {
  const names = namesOf(tree);
  const { types, named } = names;
  // Inside function code the walk goes down only where a call, a subscript or a decorated
  // definition may be: where a `(`, `[` or `@` is (each of those nodes spans one).
  const marks: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const ch = source.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 64) marks.push(i);
  }
  const hasMark = positions(marks, true);
  const hasEnviron = positions(occurrences(source, 'environ'));
  const hasAddMiddleware = positions(occurrences(source, 'add_middleware'));
  const bound = topLevelNames(tree, source, types);
  const known = (start: number) => {
    HEAD.lastIndex = start;
    const m = HEAD.exec(source);
    return m !== null && bound.has(m[0]);
  };
  /** A node inside function code (see Mode.Code): how much of it is kept, -1 for nothing. */
  const inCode = (
    type: string,
    fieldName: string | null | undefined,
    start: number,
    end: number,
    prev?: string,
  ): Mode | -1 => {
    if (type === 'function_definition') return Mode.Func;
    if (type === 'class_definition') return Mode.Class;
    if (type === 'decorated_definition') return Mode.Decorated;
    if (type === 'decorator' || fieldName === 'left') return Mode.Full;
    if (type === 'call') return known(start) || hasAddMiddleware(start, end) ? Mode.Full : Mode.Shallow;
    if (type === 'subscript') return hasEnviron(start, end) ? Mode.Full : Mode.Code;
    if (type === 'expression_statement' || type === 'assignment') return Mode.Code;
    // A dict (`opts = {...}`) and the value of `opts["key"] = value` are read whole (see splatted).
    if (fieldName === 'right')
      return type === 'dictionary' || prev === 'subscript'
        ? Mode.Full
        : hasMark(start, end)
          ? Mode.Code
          : Mode.Leaf;
    return hasMark(start, end) ? Mode.Code : -1;
  };
  let data = new Int32Array(4096 * STRIDE);
  let count = 0;
  const add = (type: number, field: number, start: number, end: number, parent: number) => {
    if ((count + 1) * STRIDE > data.length) {
      const bigger = new Int32Array(data.length * 2);
      bigger.set(data);
      data = bigger;
    }
    const o = count * STRIDE;
    data[o] = type;
    data[o + 1] = field;
    data[o + 2] = start;
    data[o + 3] = end;
    data[o + 4] = parent;
    return count++;
  };
  const c = cursorOf(tree);
  const done = () => {
    c.done();
    return { data: data.slice(0, count * STRIDE) };
  };
  add(c.typeId(), 0, c.start(), c.end(), -1);
  /** `prev`: the type of the frame's last named child kept (an assignment's target, for its value). */
  const stack: { idx: number; type: string; mode: Mode; prev?: string }[] = [
    { idx: 0, type: types[c.typeId()]!, mode: Mode.Module },
  ];
  if (!c.first()) return done();
  for (;;) {
    const top = stack[stack.length - 1]!;
    const typeId = c.typeId();
    const type = types[typeId]!;
    if (!named[typeId]) {
      if (type === 'async' || (ANON_PARENTS.has(top.type) && top.mode !== Mode.Stubs)) {
        const field = c.fieldId();
        if (type === 'async' || field) add(typeId, field, c.start(), c.end(), top.idx);
      }
    } else {
      const field = c.fieldId();
      const fieldName = field ? names.fields[field] : null;
      const start = c.start();
      const end = c.end();
      const def =
        type === 'function_definition'
          ? Mode.Func
          : type === 'class_definition'
            ? Mode.Class
            : type === 'decorated_definition'
              ? Mode.Decorated
              : undefined;
      let mode: Mode | -1 = -1;
      switch (top.mode) {
        case Mode.Full:
          // A string without interpolation is read from its text (see stringValue).
          mode =
            type === 'string' && !/^[a-zA-Z]*[fF]/.test(source.slice(start, start + 3))
              ? Mode.Leaf
              : Mode.Full;
          break;
        case Mode.Module:
          mode = def ?? (MODULE_COMPOUND.has(type) ? Mode.Module : Mode.Full);
          break;
        case Mode.Func:
          mode = fieldName === 'body' ? Mode.Code : Mode.Full;
          break;
        case Mode.Class:
          mode = fieldName === 'body' ? Mode.ClassBody : Mode.Full;
          break;
        case Mode.Decorated:
          mode = def ?? Mode.Full;
          break;
        case Mode.ClassBody:
          mode = def ?? (type === 'expression_statement' ? Mode.Full : hasMark(start, end) ? Mode.Code : -1);
          break;
        case Mode.Shallow:
          mode = fieldName === 'function' ? Mode.Full : fieldName === 'arguments' ? Mode.Stubs : -1;
          break;
        case Mode.Stubs:
          mode =
            type === 'comment'
              ? Mode.Full
              : hasMark(start, end)
                ? inCode(type, fieldName, start, end)
                : Mode.Leaf;
          break;
        case Mode.Code:
          mode = def ?? inCode(type, fieldName, start, end, top.prev);
          break;
      }
      if (mode !== -1) {
        const idx = add(typeId, field, start, end, top.idx);
        top.prev = type;
        if (mode !== Mode.Leaf && !LEAVES.has(type) && c.first()) {
          stack.push({ idx, type, mode });
          continue;
        }
      }
    }
    // On to the next sibling, climbing back up as subtrees end.
    while (!c.next()) {
      if (stack.length === 1) return done();
      c.parent();
      stack.pop();
    }
  }
}

/** A node of a light tree: created once per kept node, when first asked for, so it can key a map. */
class LightNode implements Node {
  private children_: LightNode[] | undefined;
  private named_: LightNode[] | undefined;
  constructor(
    private readonly tree: LightTree,
    readonly index: number,
  ) {}

  get type(): string {
    return this.tree.typeAt(this.index);
  }

  get field(): string | null {
    return this.tree.fieldAt(this.index);
  }

  get isNamed(): boolean {
    return this.tree.names.named[this.tree.data[this.index * STRIDE]!]!;
  }

  get startIndex(): number {
    return this.tree.data[this.index * STRIDE + 2]!;
  }

  get endIndex(): number {
    return this.tree.data[this.index * STRIDE + 3]!;
  }

  private text_: string | undefined;

  get text(): string {
    this.text_ ??= this.tree.source.slice(this.startIndex, this.endIndex);
    return this.text_;
  }

  get startPosition() {
    return this.tree.positionOf(this.startIndex);
  }

  get parent(): LightNode | null {
    const p = this.tree.data[this.index * STRIDE + 4]!;
    return p >= 0 ? this.tree.node(p) : null;
  }

  get children(): LightNode[] {
    if (!this.children_) {
      const out: LightNode[] = [];
      for (let c = this.tree.firstChild[this.index]!; c > 0; c = this.tree.nextSibling[c]!)
        out.push(this.tree.node(c));
      this.children_ = out;
    }
    return this.children_;
  }

  get namedChildren(): LightNode[] {
    this.named_ ??= this.children.filter((c) => c.isNamed);
    return this.named_;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  namedChild(i: number): LightNode | null {
    return this.namedChildren[i] ?? null;
  }

  childForFieldName(name: string): LightNode | null {
    const t = this.tree;
    for (let c = t.firstChild[this.index]!; c > 0; c = t.nextSibling[c]!)
      if (t.fieldAt(c) === name) return t.node(c);
    return null;
  }

  childrenForFieldName(name: string): LightNode[] {
    return this.children.filter((c) => c.field === name);
  }
}

/** A module's light tree: the kept nodes as arrays, a node object made for each one asked for. */
export class LightTree {
  readonly data: Int32Array;
  /** First child and next sibling of each node (0: none; the root is nobody's child). */
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  private readonly nodes: (LightNode | undefined)[];
  private lineStarts: number[] | undefined;

  constructor(
    readonly source: string,
    flat: Flat,
    readonly names: Names,
  ) {
    const data = flat.data;
    const n = data.length / STRIDE;
    this.data = data;
    this.firstChild = new Int32Array(n);
    this.nextSibling = new Int32Array(n);
    const last = new Int32Array(n);
    for (let i = 1; i < n; i++) {
      const p = data[i * STRIDE + 4]!;
      if (this.firstChild[p] === 0) this.firstChild[p] = i;
      else this.nextSibling[last[p]!] = i;
      last[p] = i;
    }
    this.nodes = new Array(n);
  }

  get size(): number {
    return this.data.length / STRIDE;
  }

  get rootNode(): Node {
    return this.node(0);
  }

  node(i: number): LightNode {
    let n = this.nodes[i];
    if (!n) {
      n = new LightNode(this, i);
      this.nodes[i] = n;
    }
    return n;
  }

  typeIdAt(i: number): number {
    return this.data[i * STRIDE]!;
  }

  typeAt(i: number): string {
    return this.names.types[this.data[i * STRIDE]!]!;
  }

  fieldAt(i: number): string | null {
    const f = this.data[i * STRIDE + 1]!;
    return f ? this.names.fields[f]! : null;
  }

  parentAt(i: number): number {
    return this.data[i * STRIDE + 4]!;
  }

  /** Row and column (UTF-16 units) of an index of the source. */
  positionOf(index: number): { row: number; column: number } {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = this.source.indexOf('\n'); i >= 0; i = this.source.indexOf('\n', i + 1))
        starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo]! };
  }
}
