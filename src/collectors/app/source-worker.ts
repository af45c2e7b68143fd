// A worker thread of parseSources: reads and parses the files of each message it is sent and
// posts back their light trees (the arrays are transferred, not copied).
import { parentPort } from 'node:worker_threads';
import type { Names } from './light.js';
import { preloadParser } from './parser.js';
import { type Parsed, parseFile } from './source.js';

// The parser loads as the worker starts, before its first batch: a worker may be started before the
// files are known (prestartWorker).
preloadParser();

let sentNames = false;
// One batch at a time, in the order sent (the parent keeps two in flight): the handler awaits.
let queue = Promise.resolve();
parentPort!.on('message', (msg: { id: number; files: string[] }) => {
  queue = queue.then(() => parseBatch(msg));
});

async function parseBatch({ id, files }: { id: number; files: string[] }) {
  const results: Parsed[] = [];
  let names: Names | undefined;
  for (const f of files) {
    const r = await parseFile(f);
    names ??= r.names;
    results.push(r.parsed);
  }
  const transfer = results.flatMap((p) => ('flat' in p ? [p.flat.data.buffer as ArrayBuffer] : []));
  parentPort!.postMessage({ id, results, ...(names && !sentNames ? { names } : {}) }, transfer);
  if (names) sentNames = true;
}
