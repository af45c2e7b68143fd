// tree-sitter-python through web-tree-sitter: WASM only, no native build, loaded once per process.
import { createRequire } from 'node:module';
import type { Parser as ParserT, Tree, Node as TsNode } from 'web-tree-sitter';
import { flatten, LightTree, type Node, namesOf, type RawModule, useRawModule } from './light.js';

export type { Node, Tree };

interface Loaded {
  parser: ParserT;
}
let loading: Promise<Loaded> | undefined;
let loaded: Loaded | undefined;

async function load(): Promise<Loaded> {
  const { Parser, Language } = await import('web-tree-sitter');
  // The options object becomes the WASM module: kept to walk trees without web-tree-sitter's copying (see light.ts).
  const module: Partial<RawModule> = {};
  await Parser.init(module);
  useRawModule(module);
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);
  loaded = { parser };
  return loaded;
}

/**
 * Starts loading the parser, so that its WASM compiles while other sources are read; a failure is
 * the first parse's to report.
 */
export function preloadParser(): void {
  loading ??= load();
  loading.catch(() => {});
}

/** Parses with the one parser of the process (loaded once, reused for every file). */
export async function parsePython(text: string): Promise<Tree> {
  loading ??= load();
  const { parser } = loaded ?? (await loading);
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** A call found by the scan: its `function` child and that child's text, read once. */
export interface CallSite {
  node: Node;
  fn: Node;
  fnText: string;
  /** The innermost function, lambda or class around the call (null: module level). */
  scope: Node | null;
}

export interface Scan {
  /** Every call, in source order. */
  calls: CallSite[];
  subscripts: Node[];
  /** Decorated definitions at any depth (routes and middleware are often declared inside a factory). */
  decorated: Node[];
}

/** The `function` child of a call node. */
export function functionOf(call: Node): Node | null {
  return call.childForFieldName('function');
}

const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

/** One pass over a light tree's arrays, in source order: its calls (with their scope), subscripts and decorated definitions. */
export function scanTree(tree: LightTree): Scan {
  const out: Scan = { calls: [], subscripts: [], decorated: [] };
  const n = tree.size;
  const kinds = kindsOf(tree.names.types);
  // The innermost function, lambda or class around each node (-1: module level); parents come first.
  const scope = new Int32Array(n).fill(-1);
  for (let i = 1; i < n; i++) {
    const p = tree.parentAt(i);
    scope[i] = kinds[tree.typeIdAt(p)] === SCOPE ? p : scope[p]!;
    const kind = kinds[tree.typeIdAt(i)];
    if (kind === CALL) {
      const node = tree.node(i);
      const fn = node.childForFieldName('function');
      if (fn) {
        out.calls.push({ node, fn, fnText: fn.text, scope: scope[i]! >= 0 ? tree.node(scope[i]!) : null });
      }
    } else if (kind === SUBSCRIPT) out.subscripts.push(tree.node(i));
    else if (kind === DECORATED) out.decorated.push(tree.node(i));
  }
  return out;
}

const [CALL, SUBSCRIPT, DECORATED, SCOPE] = [1, 2, 3, 4];
let kindsCache: { types: string[]; kinds: Uint8Array } | undefined;

/** What scanTree looks for, by node type id. */
function kindsOf(types: string[]): Uint8Array {
  if (kindsCache?.types === types) return kindsCache.kinds;
  const kinds = new Uint8Array(types.length);
  for (const [i, t] of types.entries())
    kinds[i] =
      t === 'call'
        ? CALL
        : t === 'subscript'
          ? SUBSCRIPT
          : t === 'decorated_definition'
            ? DECORATED
            : SCOPES.has(t)
              ? SCOPE
              : 0;
  kindsCache = { types, kinds };
  return kinds;
}

/** Parses a file and keeps what the analysis reads of it (the WASM tree is freed); a syntax error instead when there is one. */
export async function parseLight(
  text: string,
): Promise<{ tree: LightTree } | { error: { line: number; message: string } }> {
  const tree = await parsePython(text);
  try {
    const error = firstSyntaxError(tree);
    if (error) return { error };
    return { tree: new LightTree(text, flatten(tree, text), namesOf(tree)) };
  } finally {
    tree.delete();
  }
}

/** The first syntax error of a tree (an ERROR or a MISSING node), 1-based line, or undefined. */
export function firstSyntaxError(tree: Tree): { line: number; message: string } | undefined {
  if (!tree.rootNode.hasError) return undefined;
  const stack: TsNode[] = [tree.rootNode];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.isError || n.isMissing) {
      const what = n.isMissing ? `missing ${n.type}` : `unexpected ${JSON.stringify(n.text.slice(0, 40))}`;
      return { line: n.startPosition.row + 1, message: `syntax error: ${what}` };
    }
    if (n.hasError) stack.push(...[...n.children].reverse().filter((c): c is TsNode => c !== null));
  }
  return { line: 1, message: 'syntax error' };
}

export const lineOf = (n: Node): number => n.startPosition.row + 1;

/** The text of a string literal without quotes, or undefined when it interpolates (an f-string). */
export function stringValue(n: Node): string | undefined {
  if (n.type === 'concatenated_string') {
    const parts = n.namedChildren.map((c) => (c ? stringValue(c) : undefined));
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  if (n.type !== 'string') return undefined;
  // A string kept without its children (see flatten) has no interpolation: its text between the quotes.
  if (n.children.length === 0) {
    const text = n.text;
    const prefix = /^[a-zA-Z]*/.exec(text)![0].length;
    const quote = text.startsWith('"""', prefix) || text.startsWith("'''", prefix) ? 3 : 1;
    return text.slice(prefix + quote, text.length - quote);
  }
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return n.namedChildren
    .filter((c) => c?.type === 'string_content' || c?.type === 'escape_sequence')
    .map((c) => c!.text)
    .join('');
}
