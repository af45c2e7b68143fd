// The light trees the app collector analyses (src/collectors/app/light.ts): the direct WASM walk
// gives what web-tree-sitter's cursor gives, the names that decide how much of a call is kept
// cover every name readModule binds, and the worker threads (built dist/, as the CLI runs) give
// the same facts as parsing in the main thread.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectApp } from '../../src/collectors/app/index.js';
import {
  flatten,
  forcePublicCursor,
  LightTree,
  namesOf,
  rawCursorInUse,
  topLevelNames,
} from '../../src/collectors/app/light.js';
import { readModule } from '../../src/collectors/app/module.js';
import { parseLight, parsePython } from '../../src/collectors/app/parser.js';
import { ROOT } from './support.js';

const CORPUS = join(ROOT, 'fixtures/real-world/fastapi');

/** Runs `body` in a child node (with `flags`) that has imported the built collector as `collectApp`: its last line, as JSON. */
function inBuiltCollector(body: string, flags: string[] = []) {
  const dist = join(ROOT, 'dist/collectors/app/index.js');
  if (!existsSync(dist)) throw new Error('run `npm run build` first: this test runs the built collector');
  const script = `const { collectApp } = await import(${JSON.stringify(dist)});\n${body}`;
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

function pythonFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) pythonFiles(full, out);
    else if (e.name.endsWith('.py')) out.push(full);
  }
  return out;
}

/** Every 7th file of dispatch's source: a spread of real modules, quick to parse twice. */
const sample = () => pythonFiles(join(CORPUS, 'dispatch/src/dispatch')).filter((_, i) => i % 7 === 0);

const TRICKY = `
import os, sys as system
from a.b import (c,
    d as e)
from .rel import \\
    f
try:
    import orjson as json_lib
except ImportError:  # pragma: no cover
    json_lib = None
if os.environ.get("X"): one_line = 1
semi = 2; after_semi = 3
x: int = 4
@decorator
class Settings(BaseSettings):
    pool: int = 5
@app.get("/")
async def handler():
    local = 1
    return local
def later(): pass
`;

describe('light trees', () => {
  it('walk the WASM cursor directly with the same result as the public cursor', async () => {
    await parsePython('');
    expect(rawCursorInUse()).toBe(true);
    for (const file of sample()) {
      const text = readFileSync(file, 'utf8');
      const tree = await parsePython(text);
      try {
        const direct = flatten(tree, text).data;
        forcePublicCursor(true);
        const viaPublic = flatten(tree, text).data;
        expect(Array.from(direct), file).toEqual(Array.from(viaPublic));
      } finally {
        forcePublicCursor(false);
        tree.delete();
      }
    }
  });

  it('keep every top-level name readModule binds among the names that decide what is kept', async () => {
    const files = [
      ...sample().map((f) => [f, readFileSync(f, 'utf8')] as const),
      ['tricky.py', TRICKY] as const,
    ];
    let total = 0;
    for (const [file, text] of files) {
      const tree = await parsePython(text);
      const names = topLevelNames(tree, text, namesOf(tree).types);
      const light = new LightTree(text, flatten(tree, text), namesOf(tree));
      tree.delete();
      const mod = readModule(file, light, 'm');
      const bound = [
        ...mod.aliases.keys(),
        ...mod.bindings.keys(),
        ...mod.functions.keys(),
        ...mod.classes.keys(),
      ];
      total += bound.length;
      for (const name of bound) expect(names.has(name), `${file}: ${name}`).toBe(true);
    }
    expect(total).toBeGreaterThan(100);
    const tricky = await parsePython(TRICKY);
    const names = topLevelNames(tricky, TRICKY, namesOf(tricky).types);
    tricky.delete();
    for (const n of ['os', 'system', 'c', 'e', 'f', 'json_lib', 'one_line', 'semi', 'after_semi', 'x'])
      expect(names.has(n), n).toBe(true);
    for (const n of ['Settings', 'handler', 'later']) expect(names.has(n), n).toBe(true);
    expect(names.has('local')).toBe(false);
  });

  it('read strings kept without their children as the full tree does', async () => {
    const text = `A = "plain"\nB = r'raw\\d'\nC = """multi\nline"""\nD = b"bytes"\nE = f"{A}x"\nF = "esc\\n" "cat"\n`;
    const parsed = await parseLight(text);
    if (!('tree' in parsed)) throw new Error('syntax error');
    const mod = readModule('s.py', parsed.tree, 's');
    const { stringValue } = await import('../../src/collectors/app/parser.js');
    const value = (k: string) => stringValue(mod.bindings.get(k)!);
    expect([value('A'), value('B'), value('C'), value('D'), value('E'), value('F')]).toEqual([
      'plain',
      'raw\\d',
      'multi\nline',
      'bytes',
      undefined,
      'esc\\ncat',
    ]);
  });

  // Collects dispatch (300+ files) twice in a child process: slow on a loaded machine.
  it('give the same facts parsed in worker threads as in the main thread (built dist/)', {
    timeout: 120_000,
  }, () => {
    const out = inBuiltCollector(`
      const dir = ${JSON.stringify(join(CORPUS, 'dispatch'))};
      const a = await collectApp(dir + '/src/dispatch', { projectDir: dir, workers: 2 });
      const b = await collectApp(dir + '/src/dispatch', { projectDir: dir, workers: 0 });
      console.log(JSON.stringify({ files: a.files.length, routes: a.routes.length, same: JSON.stringify(a) === JSON.stringify(b) }));
    `);
    expect(out.files).toBeGreaterThan(300);
    expect(out.routes).toBeGreaterThan(50);
    expect(out.same).toBe(true);
  });

  it('start their workers when node runs with flags a worker refuses (built dist/)', () => {
    // Per-process and V8 flags (a value with `=` and a separate one): the Worker constructor refuses them.
    const flags = ['--max-semi-space-size=2', '--stack-size=900', '--title', 'strisk-test', '--no-warnings'];
    const out = inBuiltCollector(
      `
      const dir = ${JSON.stringify(resolve(ROOT, 'examples/st-risk-platform'))};
      const a = await collectApp(dir, { workers: 2 });
      const b = await collectApp(dir, { workers: 0 });
      console.log(JSON.stringify({ routes: a.routes.length, same: JSON.stringify(a) === JSON.stringify(b) }));
    `,
      flags,
    );
    expect(out.routes).toBeGreaterThan(0);
    expect(out.same).toBe(true);
  });

  it('parse a small app in a worker started before the files are known, the same as here, and a worker never taken holds nothing (built dist/)', () => {
    const source = join(ROOT, 'dist/collectors/app/source.js');
    const out = inBuiltCollector(`
      const { prestartWorker, defaultWorkers } = await import(${JSON.stringify(source)});
      const { cancelPrestart } = await import(${JSON.stringify(source.replace('source.js', 'prestarted.js'))});
      // Started, then ended by an audit without an app: nothing is left for a parse to take.
      prestartWorker();
      cancelPrestart();
      const cancelled = defaultWorkers(4);
      const dir = ${JSON.stringify(resolve(ROOT, 'examples/st-risk-platform'))};
      const started = prestartWorker();
      const workers = defaultWorkers(4);
      const a = await collectApp(dir);
      const after = defaultWorkers(4);
      const b = await collectApp(dir, { workers: 0 });
      // Started and never taken: the process still ends when its work does.
      prestartWorker();
      const cores = (await import('node:os')).availableParallelism();
      console.log(JSON.stringify({ cores, cancelled, started, workers, after, routes: a.routes.length, same: JSON.stringify(a) === JSON.stringify(b) }));
    `);
    // On one core nothing is started and the parse runs in the main thread.
    const two = out.cores >= 2;
    expect(out).toMatchObject({ cancelled: 0, started: two, workers: two ? 1 : 0, after: 0, same: true });
    expect(out.routes).toBeGreaterThan(0);
  });

  it('in the TypeScript sources (no compiled worker beside them) parse in the main thread', async () => {
    const dir = resolve(ROOT, 'examples/st-risk-platform');
    const facts = await collectApp(dir);
    expect(facts.files.length).toBeGreaterThan(0);
    expect(facts.routes.length).toBeGreaterThan(0);
  });
});
