// A worker thread of parseSources: reads and parses the files of each message it is sent and
// posts back their light trees (the arrays are transferred, not copied).
import { parentPort } from 'node:worker_threads';
import type { Names } from './light.js';
import { type Parsed, parseFile } from './source.js';

let sentNames = false;
parentPort!.on('message', async (files: string[]) => {
  const results: Parsed[] = [];
  let names: Names | undefined;
  for (const f of files) {
    const r = await parseFile(f);
    names ??= r.names;
    results.push(r.parsed);
  }
  const transfer = results.flatMap((p) => ('flat' in p ? [p.flat.data.buffer as ArrayBuffer] : []));
  parentPort!.postMessage({ results, ...(names && !sentNames ? { names } : {}) }, transfer);
  if (names) sentNames = true;
});
