// tree-sitter-python through web-tree-sitter: WASM only, no native build, loaded once per process.
import { createRequire } from 'node:module';
import type { Node, Parser as ParserT, Query, Tree } from 'web-tree-sitter';

export type { Node, Tree };

/**
 * The nodes the extraction reads, found in one query run inside the WASM module: walking the tree
 * from JavaScript node by node costs a boundary crossing and an object per node, ten times more.
 */
const SCAN = `
(call function: (_) @fn) @call
(subscript) @subscript
(function_definition) @scope
(lambda) @scope
(class_definition) @scope
(decorated_definition) @decorated
`;

interface Loaded {
  parser: ParserT;
  scan: Query;
}
let loading: Promise<Loaded> | undefined;
let loaded: Loaded | undefined;

async function load(): Promise<Loaded> {
  const { Parser, Language, Query } = await import('web-tree-sitter');
  await Parser.init();
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);
  loaded = { parser, scan: new Query(language, SCAN) };
  return loaded;
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

const sites = new WeakMap<Node, CallSite>();

/** The `function` child of a call node (from the scan when the call was found by it). */
export function functionOf(call: Node): Node | null {
  return sites.get(call)?.fn ?? call.childForFieldName('function');
}

/** The text of a call's `function` child, read once per call found by the scan. */
export function functionTextOf(call: Node): string | undefined {
  const site = sites.get(call);
  return site ? site.fnText : call.childForFieldName('function')?.text;
}

/**
 * One pass over a parsed tree (see SCAN). A call's `function` capture follows the call's own
 * (calls nested at the same start, `f(x)(y)`, come outermost first, then their functions in the
 * same order); each scope's end is read once (every `endIndex` is a call into WASM).
 */
export function scanTree(tree: Tree): Scan {
  if (!loaded) throw new Error('scanTree before parsePython');
  const out: Scan = { calls: [], subscripts: [], decorated: [] };
  const open: { node: Node; end: number }[] = [];
  let waiting = 0;
  for (const { name, node } of loaded.scan.captures(tree.rootNode)) {
    if (name === 'fn') {
      const site = out.calls[waiting++];
      if (site?.node.startIndex !== node.startIndex)
        throw new Error('scanTree: a function capture out of order');
      site.fn = node;
      site.fnText = node.text;
      sites.set(site.node, site);
      continue;
    }
    while (open.length > 0 && open.at(-1)!.end <= node.startIndex) open.pop();
    if (name === 'scope') open.push({ node, end: node.endIndex });
    else if (name === 'call')
      out.calls.push({ node, fn: node, fnText: '', scope: open.at(-1)?.node ?? null });
    else if (name === 'decorated') out.decorated.push(node);
    else out.subscripts.push(node);
  }
  if (waiting !== out.calls.length) throw new Error('scanTree: a call without its function');
  return out;
}

/** The first syntax error of a tree (an ERROR or a MISSING node), 1-based line, or undefined. */
export function firstSyntaxError(tree: Tree): { line: number; message: string } | undefined {
  if (!tree.rootNode.hasError) return undefined;
  const stack: Node[] = [tree.rootNode];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.isError || n.isMissing) {
      const what = n.isMissing ? `missing ${n.type}` : `unexpected ${JSON.stringify(n.text.slice(0, 40))}`;
      return { line: n.startPosition.row + 1, message: `syntax error: ${what}` };
    }
    if (n.hasError) stack.push(...[...n.children].reverse().filter((c): c is Node => c !== null));
  }
  return { line: 1, message: 'syntax error' };
}

export const lineOf = (n: Node): number => n.startPosition.row + 1;

/** Nodes of the given types under `root`, not descending into nested function or class bodies when `shallow`. */
export function descendants(root: Node, types: ReadonlySet<string>, shallow = false): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [...root.namedChildren].filter((c): c is Node => c !== null).reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (types.has(n.type)) out.push(n);
    if (shallow && (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition'))
      continue;
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
  return out;
}

/** The text of a string literal without quotes, or undefined when it interpolates (an f-string). */
export function stringValue(n: Node): string | undefined {
  if (n.type === 'concatenated_string') {
    const parts = n.namedChildren.map((c) => (c ? stringValue(c) : undefined));
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  if (n.type !== 'string') return undefined;
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return n.namedChildren
    .filter((c) => c?.type === 'string_content' || c?.type === 'escape_sequence')
    .map((c) => c!.text)
    .join('');
}
