// One Python module's top level: imports (as a local-name → qualified-name map), functions,
// classes and module-level assignments. The project resolves names across modules from these.

import type { LightTree } from './light.js';
import { lineOf, type Node, type Scan, scanTree } from './parser.js';
import type { Import } from './schema.js';

export interface FunctionInfo {
  name: string;
  node: Node;
  async: boolean;
  line: number;
  /** Where the definition ends (read once: `endIndex` is a call into WASM). */
  end: number;
}

export interface ClassInfo {
  name: string;
  line: number;
  node: Node;
  bases: Node[];
  /** Class-body assignments: `x = 1`, `x: int = 1`, `x: int`. */
  attrs: Map<string, { value: Node | null; line: number }>;
}

export interface ModuleInfo {
  file: string;
  /** Dotted module name from the file path: `app/main.py` → `app.main`. */
  name: string;
  tree: LightTree;
  aliases: Map<string, string>;
  imports: Import[];
  functions: Map<string, FunctionInfo>;
  classes: Map<string, ClassInfo>;
  /** Module-level `name = <expr>`: the expression. */
  bindings: Map<string, Node>;
  decorated: Node[];
  /** Calls and subscripts of the whole module, found once (see scanTree). */
  scan: Scan;
  /** Calls by the start of the innermost function, lambda or class around them; -1 is module level. */
  callsByScope: Map<number, Node[]>;
}

export function moduleNameOf(file: string): string {
  const parts = file.replace(/\.py$/, '').split('/');
  if (parts.at(-1) === '__init__') parts.pop();
  return parts.join('.');
}

function resolveRelative(moduleName: string, isPackage: boolean, node: Node): string {
  const prefix = node.namedChildren.find((c) => c?.type === 'import_prefix');
  const dots = prefix?.text.length ?? 0;
  const rest = node.namedChildren.find((c) => c?.type === 'dotted_name')?.text ?? '';
  const base = moduleName.split('.');
  const drop = isPackage ? dots - 1 : dots;
  const parent = base.slice(0, Math.max(0, base.length - drop));
  return [...parent, ...(rest ? [rest] : [])].join('.');
}

function readImports(mod: ModuleInfo, stmt: Node, isPackage: boolean): void {
  const line = lineOf(stmt);
  if (stmt.type === 'import_statement') {
    for (const n of stmt.childrenForFieldName('name')) {
      if (!n) continue;
      if (n.type === 'aliased_import') {
        const module = n.childForFieldName('name')!.text;
        const alias = n.childForFieldName('alias')!.text;
        mod.aliases.set(alias, module);
        mod.imports.push({ file: mod.file, line, module, alias });
      } else {
        // `import a.b` binds `a`; `a.b.x` then qualifies to itself.
        mod.aliases.set(n.text.split('.')[0]!, n.text.split('.')[0]!);
        mod.imports.push({ file: mod.file, line, module: n.text });
      }
    }
    return;
  }
  const moduleNode = stmt.childForFieldName('module_name');
  if (!moduleNode) return;
  const module =
    moduleNode.type === 'relative_import'
      ? resolveRelative(mod.name, isPackage, moduleNode)
      : moduleNode.text;
  const names = stmt.childrenForFieldName('name').filter((n): n is Node => n !== null);
  if (names.length === 0 && stmt.namedChildren.some((c) => c?.type === 'wildcard_import')) {
    mod.imports.push({ file: mod.file, line, module, name: '*' });
  }
  for (const n of names) {
    const aliased = n.type === 'aliased_import';
    const name = aliased ? n.childForFieldName('name')!.text : n.text;
    const alias = aliased ? n.childForFieldName('alias')!.text : undefined;
    mod.aliases.set(alias ?? name, `${module}.${name}`);
    mod.imports.push({ file: mod.file, line, module, name, ...(alias ? { alias } : {}) });
  }
}

function readClass(def: Node): ClassInfo {
  const attrs = new Map<string, { value: Node | null; line: number }>();
  const body = def.childForFieldName('body');
  for (const stmt of body?.namedChildren ?? []) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChild(0) : null;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    if (left?.type === 'identifier')
      attrs.set(left.text, { value: a.childForFieldName('right'), line: lineOf(a) });
  }
  const superclasses = def.childForFieldName('superclasses');
  const bases = (superclasses?.namedChildren ?? []).filter(
    (b): b is Node => b !== null && b.type !== 'keyword_argument',
  );
  return { name: def.childForFieldName('name')!.text, line: lineOf(def), node: def, bases, attrs };
}

/** Reads the top level of a module, including definitions nested in top-level `if`/`try` blocks. */
export function readModule(file: string, tree: LightTree, name = moduleNameOf(file)): ModuleInfo {
  const isPackage = file.endsWith('__init__.py');
  const mod: ModuleInfo = {
    file,
    name,
    tree,
    aliases: new Map(),
    imports: [],
    functions: new Map(),
    classes: new Map(),
    bindings: new Map(),
    decorated: [],
    scan: scanTree(tree),
    callsByScope: new Map(),
  };
  for (const { node, scope } of mod.scan.calls) {
    const key = scope?.startIndex ?? -1;
    const list = mod.callsByScope.get(key);
    if (list) list.push(node);
    else mod.callsByScope.set(key, [node]);
  }
  const visit = (stmts: (Node | null)[]) => {
    for (const s of stmts) {
      if (!s) continue;
      let def: Node | null = s;
      if (s.type === 'decorated_definition') {
        mod.decorated.push(s);
        def = s.childForFieldName('definition');
      }
      if (!def) continue;
      const type = def.type; // each read is a call into WASM
      if (type === 'import_statement' || type === 'import_from_statement') readImports(mod, def, isPackage);
      else if (type === 'function_definition') {
        const name = def.childForFieldName('name')!.text;
        const isAsync = def.children.some((c) => c?.type === 'async');
        mod.functions.set(name, { name, node: def, async: isAsync, line: lineOf(def), end: def.endIndex });
      } else if (type === 'class_definition') {
        const info = readClass(def);
        mod.classes.set(info.name, info);
      } else if (type === 'expression_statement') {
        const a = def.namedChild(0);
        const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
        const right = a?.childForFieldName('right');
        if (left?.type === 'identifier' && right) mod.bindings.set(left.text, right);
      } else if (
        [
          'if_statement',
          'try_statement',
          'with_statement',
          'else_clause',
          'except_clause',
          'finally_clause',
          'block',
        ].includes(type)
      ) {
        visit(def.namedChildren);
      }
    }
  };
  visit(tree.rootNode.namedChildren);
  return mod;
}
