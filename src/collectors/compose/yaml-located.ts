// A YAML reader that keeps file:line for every value. Aliases and `<<` merge keys are resolved here,
// so the rest of the collector sees plain maps, sequences and scalars.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Scalar,
  visit,
  type YAMLMap,
  type YAMLSeq,
  type Node as YamlNode,
} from 'yaml';
import { InputError, yamlMessage } from '../../core/errors.js';

/**
 * Bound on the expanded size of one file (nodes counted as if every alias were copied), on top of
 * one node per character of the file itself, so that the bound grows with what was written but
 * not with what aliases multiply. Real compose files with hundreds of aliases stay far below it; a
 * billion-laughs file hits it after a few thousand steps, because shared subtrees are counted by
 * their size, not walked again.
 */
export const MAX_EXPANDED_NODES = 1_000_000;

/**
 * Bound on nesting: compose files nest a dozen levels at most. Checked before anything recursive
 * runs out of stack, so 10,000 nested brackets get this message, not "Maximum call stack size exceeded".
 */
export const MAX_NESTING = 100;
const NESTING_MESSAGE = `nesting is too deep: a compose file is expected to nest at most ${MAX_NESTING} levels`;

interface LBase {
  file: string;
  line: number;
  /** Compose's own tags: `!reset` (drop the inherited value) and `!override` (replace, do not merge). */
  tag?: '!reset' | '!override';
  /** Expanded node count of this subtree. */
  size: number;
}
export interface LScalar extends LBase {
  kind: 'scalar';
  value: string | number | boolean | null;
}
export interface LEntry {
  key: string;
  /** Where the key was written: the line reported for the value in facts. */
  file: string;
  line: number;
  value: LNode;
}
export interface LMap extends LBase {
  kind: 'map';
  entries: Map<string, LEntry>;
}
export interface LSeq extends LBase {
  kind: 'seq';
  items: LNode[];
}
export type LNode = LScalar | LMap | LSeq;

export function emptyMap(file: string, line: number): LMap {
  return { kind: 'map', file, line, size: 1, entries: new Map() };
}

/** The first line of a yaml error message, without the code frame. */
/**
 * Where to point at for a parse error. yaml reports a missing closing quote where it gave up
 * (often the end of the file); the opening quote is where the reader should look.
 */
function errorOffset(doc: Document.Parsed, code: string, pos: number): number {
  if (code !== 'MISSING_CHAR') return pos;
  let start = pos;
  visit(doc, {
    Scalar(_key, node) {
      const [from, to] = node.range ?? [0, 0];
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && from < pos && pos <= to) {
        start = from;
        return visit.BREAK;
      }
    },
  });
  return start;
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  return (
    typeof key.value === 'symbol' || key.tag === MERGE_TAG || (key.value === '<<' && key.type === 'PLAIN')
  );
}

class Walker {
  private readonly memo = new Map<YamlNode, LNode>();
  /**
   * Anchors seen so far, in document order (a later `&name` shadows an earlier one, as YAML says).
   * Kept here because yaml's Alias.resolve() searches the whole document for every alias.
   */
  private readonly anchors = new Map<string, YamlNode>();
  private readonly inProgress = new Set<YamlNode>();
  private depth = 0;
  /** Entries and items built in this document, merged copies included: bounded like the expanded size. */
  private work = 0;

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly maxNodes: number,
  ) {}

  lineOf(offset: number | undefined): number {
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }

  private fail(message: string, node: { range?: [number, number, number] | null } | null | undefined): never {
    throw new InputError(message, this.file, this.lineOf(node?.range?.[0]));
  }

  private checkSize(size: number, node: YamlNode): void {
    if (size > this.maxNodes) {
      this.fail(
        `document expands to more than ${this.maxNodes.toLocaleString('en-US')} nodes through aliases ` +
          '(a "billion laughs" document?); expected a compose file of reasonable size',
        node,
      );
    }
  }

  node(n: unknown): LNode {
    if (isAlias(n)) {
      const target = this.anchors.get(n.source);
      if (!target) this.fail(`unknown alias *${n.source}`, n);
      if (this.inProgress.has(target)) this.fail(`alias *${n.source} refers to a node that contains it`, n);
      return this.node(target);
    }
    if (n === null || n === undefined) {
      return { kind: 'scalar', file: this.file, line: 1, size: 1, value: null };
    }
    const yamlNode = n as YamlNode;
    const cached = this.memo.get(yamlNode);
    if (cached) return cached;
    if (yamlNode.anchor) this.anchors.set(yamlNode.anchor, yamlNode);
    if (++this.depth > MAX_NESTING) this.fail(NESTING_MESSAGE, yamlNode);
    this.inProgress.add(yamlNode);
    let out: LNode;
    if (isMap(yamlNode)) out = this.map(yamlNode);
    else if (isSeq(yamlNode)) out = this.seq(yamlNode);
    else if (isScalar(yamlNode)) out = this.scalar(yamlNode);
    else this.fail('unsupported YAML node', yamlNode);
    this.inProgress.delete(yamlNode);
    this.depth--;
    const tag = yamlNode.tag;
    if (tag === '!reset' || tag === '!override') out.tag = tag;
    this.checkSize(out.size, yamlNode);
    this.memo.set(yamlNode, out);
    return out;
  }

  private scalar(s: Scalar): LScalar {
    const v = s.value;
    const value =
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v);
    return { kind: 'scalar', file: this.file, line: this.lineOf(s.range?.[0]), size: 1, value };
  }

  private count(n: number, node: YamlNode): void {
    this.work += n;
    this.checkSize(this.work, node);
  }

  private seq(s: YAMLSeq): LSeq {
    const items = s.items.map((i) => this.node(i));
    this.count(items.length, s);
    const size = items.reduce((acc, i) => acc + i.size, 1);
    return { kind: 'seq', file: this.file, line: this.lineOf(s.range?.[0]), size, items };
  }

  private map(m: YAMLMap): LMap {
    const explicit = new Map<string, LEntry>();
    const merged = new Map<string, LEntry>();
    for (const pair of m.items) {
      if (isMergeKey(pair.key)) {
        // YAML merge: explicit keys win, and among merged maps the first one listed wins.
        const src = this.node(pair.value);
        const sources = src.kind === 'seq' ? src.items : [src];
        for (const s of sources) {
          if (s.kind !== 'map')
            this.fail('a `<<` merge key expects a map or a list of maps', pair.value as YamlNode);
          for (const [k, e] of s.entries) if (!merged.has(k)) merged.set(k, e);
        }
        continue;
      }
      const key = pair.key;
      if (isAlias(key) || isMap(key) || isSeq(key)) this.fail('expected a plain key', key as YamlNode);
      const keyNode = key as Scalar | null;
      if (keyNode?.anchor) this.anchors.set(keyNode.anchor, keyNode);
      const name = String(keyNode?.value ?? '');
      const line = this.lineOf(keyNode?.range?.[0]);
      // Our own check, a Set per map: yaml's `uniqueKeys` compares every key with every other (O(n²)).
      if (explicit.has(name))
        this.fail(`invalid YAML: duplicate key "${name}" (map keys must be unique)`, keyNode);
      const value =
        pair.value === null || pair.value === undefined
          ? ({ kind: 'scalar', file: this.file, line, size: 1, value: null } as LScalar)
          : this.node(pair.value);
      explicit.set(name, { key: name, file: this.file, line, value });
    }
    const entries = new Map(merged);
    for (const [k, e] of explicit) entries.set(k, e);
    this.count(merged.size + explicit.size, m);
    let size = 1;
    for (const e of entries.values()) size += e.value.size;
    return { kind: 'map', file: this.file, line: this.lineOf(m.range?.[0]), size, entries };
  }
}

/**
 * Parses one compose file into located maps, one per YAML document (compose merges them in order).
 * Throws InputError with file and line on malformed YAML or a top level that is not a map.
 */
export function parseLocatedYaml(text: string, file: string): LMap[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    // No `maxAliasCount` here: it only applies to toJS(), which we never call. We resolve aliases
    // ourselves and bound the expanded size (MAX_EXPANDED_NODES) instead of the alias count.
    merge: true,
    // Duplicate keys are found in Walker.map, in linear time; yaml's own check is quadratic.
    uniqueKeys: false,
    prettyErrors: false,
  });
  if (!Array.isArray(docs)) return [];
  const out: LMap[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err?.code === 'RESOURCE_EXHAUSTION') {
      // yaml's composer ran out of stack: only a file nested thousands of levels deep gets here.
      throw new InputError(NESTING_MESSAGE, file, lines.linePos(err.pos[0]).line);
    }
    if (err) {
      const line = lines.linePos(errorOffset(doc, err.code, err.pos[0])).line;
      throw new InputError(`invalid YAML: ${yamlMessage(err.message)}`, file, line);
    }
    const walker = new Walker(file, lines, MAX_EXPANDED_NODES + text.length);
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    if (!isMap(contents) && !isAlias(contents)) {
      throw new InputError(
        'expected a map at the top level (with `services:`), found a ' +
          (isSeq(contents) ? 'list' : 'scalar'),
        file,
        walker.lineOf(contents.range?.[0]),
      );
    }
    const root = walker.node(contents);
    if (root.kind !== 'map') throw new InputError('expected a map at the top level', file, root.line);
    out.push(root);
  }
  return out;
}
