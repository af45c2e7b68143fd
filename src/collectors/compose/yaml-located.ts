// A YAML reader that keeps file:line for every value. Aliases and `<<` merge keys are resolved here,
// so the rest of the collector sees plain maps, sequences and scalars.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseAllDocuments,
  parseDocument,
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
  /**
   * Built nodes of anchored YAML nodes, so that every alias of an anchor shares one subtree. Only
   * anchored nodes are kept: an alias can only point at one, and a memo of every node would hold
   * a second index of the whole file.
   */
  private readonly memo = new Map<YamlNode, LNode>();
  /**
   * Anchors seen so far, in document order (a later `&name` shadows an earlier one, as YAML says).
   * Kept here because yaml's Alias.resolve() searches the whole document for every alias.
   */
  private readonly anchors = new Map<string, YamlNode>();
  private readonly inProgress = new Set<YamlNode>();
  depth = 0;
  /** Offset in the file of the text being walked (a slice of it, when parsed in parts). */
  base = 0;
  /** Entries and items built in this document, merged copies included: bounded like the expanded size. */
  private work = 0;

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly maxNodes: number,
  ) {}

  lineOf(offset: number | undefined): number {
    return offset === undefined ? 1 : this.lines.linePos(this.base + offset).line;
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
    if (yamlNode.anchor) this.memo.set(yamlNode, out);
    return out;
  }

  private scalar(s: Scalar): LScalar {
    const v = s.value;
    const value =
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v);
    return { kind: 'scalar', file: this.file, line: this.lineOf(s.range?.[0]), size: 1, value };
  }

  count(n: number, node: YamlNode): void {
    this.work += n;
    this.checkSize(this.work, node);
  }

  private seq(s: YAMLSeq): LSeq {
    const items = s.items.map((i) => this.node(i));
    this.count(items.length, s);
    const size = items.reduce((acc, i) => acc + i.size, 1);
    return { kind: 'seq', file: this.file, line: this.lineOf(s.range?.[0]), size, items };
  }

  /** Adds one explicit `key: value` pair of a map to `explicit`. */
  entry(pair: Pair<unknown, unknown>, explicit: Map<string, LEntry>): void {
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
      this.entry(pair, explicit);
    }
    const entries = new Map(merged);
    for (const [k, e] of explicit) entries.set(k, e);
    this.count(merged.size + explicit.size, m);
    let size = 1;
    for (const e of entries.values()) size += e.value.size;
    return { kind: 'map', file: this.file, line: this.lineOf(m.range?.[0]), size, entries };
  }
}

const PARSE_OPTIONS = { merge: true, uniqueKeys: false, prettyErrors: false } as const;
const SERVICES_LINE = /^services:[ \t]*(#.*)?\r?$/;
const BLANK_LINE = /^[ \t]*(#.*)?\r?$/;
/** How a service's key line may start (a plain or quoted name): anything else goes the whole way. */
const KEY_START = /^[A-Za-z0-9_."']/;

/**
 * The common shape of a large compose file — one document, a top-level block map with a
 * `services:` block whose services sit at one indentation — parsed a service at a time: the head
 * (everything up to `services:`), each service's lines, then the tail (the top-level keys after
 * the block), each as its own small YAML document walked by one Walker (aliases, anchors, merges
 * and the expansion bound are the Walker's, shared across the parts). yaml holds the CST and the
 * document of one service at a time instead of the whole file's (about 85 × the file size).
 * Returns undefined whenever the file is not of that shape, a part does not parse cleanly or the
 * walk fails: the caller then parses the whole file, which gives the same result or the same
 * error (file:line) as before. The parts are cut only at lines that start a key at the services'
 * indentation; a cut inside a quoted scalar or a flow collection leaves that part unclosed, an
 * error, so the whole file is parsed instead.
 *
 * With `onService`, each service's entry goes to it as soon as it is walked, and the returned
 * model's `services` is an empty map: the file's located tree never exists whole. A caller that
 * gets undefined back (or an error thrown by onService) must discard what onService was given.
 */
export function parseInParts(
  text: string,
  file: string,
  onService?: (entry: LEntry) => void,
): LMap[] | undefined {
  if (!onService || text.length > REPLAY_MAX_CHARS) return parseParts(text, file, onService);
  if (replay?.text === text && replay.file === file) {
    try {
      for (const entry of replay.services) onService(entry);
    } catch (err) {
      if (err instanceof InputError) return undefined;
      throw err;
    }
    return replay.models;
  }
  const services: LEntry[] = [];
  const models = parseParts(text, file, (entry) => {
    onService(entry);
    services.push(entry);
  });
  if (models) replay = { text, file, services, models };
  return models;
}

/**
 * The last small file parseInParts streamed whole, with what it gave: the same text of the same
 * file is read again in a run (the app collector reads the project's compose file for its server
 * commands) and is given the same services, in order, and the same model without parsing it again.
 * The located trees are never changed after the walk, so the two readers can share them.
 */
let replay: { text: string; file: string; services: LEntry[]; models: LMap[] } | undefined;
/** Larger files are not kept (a large file's located tree is not to exist whole, see above). */
const REPLAY_MAX_CHARS = 64 * 1024;

function parseParts(text: string, file: string, onService?: (entry: LEntry) => void): LMap[] | undefined {
  if (/^(---|\.\.\.)([ \t\r]|$)|^%/m.test(text)) return undefined;
  const cuts: number[] = [];
  let headEnd = -1;
  let tailStart = text.length;
  let indent = -1;
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at);
    const end = nl === -1 ? text.length : nl + 1;
    const line = text.slice(at, nl === -1 ? text.length : nl);
    if (headEnd === -1) {
      if (SERVICES_LINE.test(line)) headEnd = end;
    } else if (!BLANK_LINE.test(line)) {
      let n = 0;
      while (line.charCodeAt(n) === 32) n++;
      if (n === 0) {
        if (line[0] === '\t') return undefined;
        tailStart = at;
        break;
      }
      if (indent === -1) indent = n;
      if (n === indent) {
        if (!KEY_START.test(line.slice(n)) || line.slice(n).startsWith('<<')) return undefined;
        cuts.push(at);
      } else if (n < indent || line[n] === '\t') return undefined;
    }
    at = end;
  }
  if (cuts.length === 0) return undefined;
  try {
    const lines = new LineCounter();
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    const walker = new Walker(file, lines, MAX_EXPANDED_NODES + text.length);
    const part = (from: number, to: number): YamlNode | null | undefined => {
      const doc = parseDocument(text.slice(from, to), PARSE_OPTIONS);
      if (doc.errors.length > 0) throw new PartsFailed();
      walker.base = from;
      return doc.contents;
    };
    const headNode = part(0, cuts[0] as number);
    if (!isMap(headNode) || headNode.items.some((p) => isMergeKey(p.key))) return undefined;
    const head = walker.node(headNode);
    if (head.kind !== 'map') return undefined;
    const placeholder = head.entries.get('services');
    const headKeys = [...head.entries.keys()];
    if (
      placeholder?.value.kind !== 'scalar' ||
      placeholder.value.value !== null ||
      placeholder.value.tag ||
      headKeys[headKeys.length - 1] !== 'services'
    )
      return undefined;
    const services = new Map<string, LEntry>();
    // Streamed: each service goes to onService as soon as it is walked and is not kept here; its
    // name is, for the duplicate check, and its size, for the expansion bound.
    const streamedNames = new Set<string>();
    let servicesLine = 0;
    let servicesSize = 1;
    for (let i = 0; i < cuts.length; i++) {
      const node = part(cuts[i] as number, cuts[i + 1] ?? tailStart);
      if (!isMap(node) || node.items.length !== 1 || isMergeKey(node.items[0]?.key)) return undefined;
      if (i === 0) servicesLine = walker.lineOf(node.range?.[0]);
      walker.depth = 2;
      if (!onService) {
        walker.entry(node.items[0] as Pair<unknown, unknown>, services);
        continue;
      }
      const one = new Map<string, LEntry>();
      walker.entry(node.items[0] as Pair<unknown, unknown>, one);
      const [name, entry] = one.entries().next().value as [string, LEntry];
      if (streamedNames.has(name)) return undefined;
      streamedNames.add(name);
      servicesSize += entry.value.size;
      onService(entry);
    }
    walker.depth = 0;
    walker.count(onService ? streamedNames.size : services.size, headNode);
    for (const e of services.values()) servicesSize += e.value.size;
    const entries = new Map(head.entries);
    entries.set('services', {
      ...placeholder,
      value: { kind: 'map', file, line: servicesLine, size: servicesSize, entries: services },
    });
    if (tailStart < text.length) {
      const tailNode = part(tailStart, text.length);
      if (!isMap(tailNode) || tailNode.items.some((p) => isMergeKey(p.key))) return undefined;
      const tail = walker.node(tailNode);
      if (tail.kind !== 'map') return undefined;
      for (const [k, e] of tail.entries) {
        if (entries.has(k)) return undefined;
        entries.set(k, e);
      }
    }
    let size = 1;
    for (const e of entries.values()) size += e.value.size;
    if (size > MAX_EXPANDED_NODES + text.length) return undefined;
    return [{ ...head, size, entries }];
  } catch (err) {
    if (err instanceof PartsFailed || err instanceof InputError) return undefined;
    throw err;
  }
}

class PartsFailed extends Error {}

/**
 * Parses one compose file into located maps, one per YAML document (compose merges them in order).
 * Throws InputError with file and line on malformed YAML or a top level that is not a map.
 */
export function parseLocatedYaml(text: string, file: string): LMap[] {
  return parseInParts(text, file) ?? parseWhole(text, file);
}

/** parseLocatedYaml for any file: the whole file parsed at once. */
export function parseWhole(text: string, file: string): LMap[] {
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
