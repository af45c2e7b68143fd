// The parse worker started before an app's files are known (source.ts, prestartWorker), apart from
// source.ts so that an audit without an app ends it without loading the app collector.
import type { Worker } from 'node:worker_threads';

let held: Worker | undefined;

/** The worker waiting for a parse, if any. */
export function heldWorker(): Worker | undefined {
  return held;
}

/** Keeps `worker` for the next parse; undefined empties the slot. */
export function holdWorker(worker: Worker | undefined): void {
  held = worker;
}

/** The worker waiting for a parse, taken out of the slot. */
export function takeWorker(): Worker | undefined {
  const worker = held;
  held = undefined;
  return worker;
}

/** Ends a worker prestartWorker started that no parse has taken (the run has no app to read). */
export function cancelPrestart(): void {
  void takeWorker()?.terminate();
}
