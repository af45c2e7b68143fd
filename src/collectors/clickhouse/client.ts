// The one way the collector talks to ClickHouse: reads only, counted, no settings sent.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { resolve } from 'node:path';
import type { TargetStatus } from '../../core/facts.js';
import { boundedRequest, WireError } from '../bounded-request.js';
import { QUERY_ID_PREFIX } from './sql.js';

/** Thrown before anything is sent when a statement is not a read. */
export class NotReadOnlyError extends Error {
  constructor(sql: string) {
    super(`refused to send a statement that is not a read: ${sql.slice(0, 60)}`);
    this.name = 'NotReadOnlyError';
  }
}

/** A failure with the target status it maps to. */
export class TargetError extends Error {
  constructor(
    readonly status: Exclude<TargetStatus, 'ok'>,
    message: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

const ALLOWED = /^(select|show|exists|describe|desc|with)\b/i;
// Reads that still act or reach out: file and network table functions, writing results out.
const REFUSED =
  /\b(into\s+outfile|url|urlCluster|file|fileCluster|remote|remoteSecure|s3|s3Cluster|gcs|hdfs|hdfsCluster|azureBlobStorage|azureBlobStorageCluster|mongodb|sqlite|mysql|postgresql|jdbc|odbc|executable|input)\s*\(|\binto\s+outfile\b/i;

function stripComments(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .trim();
}

/** Whether a statement is one the audit may send: SELECT, SHOW, EXISTS, DESCRIBE, one statement. */
export function isReadOnlyStatement(sql: string): boolean {
  const text = stripComments(sql);
  // String literals cannot hide a second statement or a function call from the tests below.
  const code = text.replace(/'(?:[^'\\]|\\.)*'/g, "''");
  if (/;\s*\S/.test(code)) return false;
  if (!ALLOWED.test(code)) return false;
  if (/^with\b/i.test(code) && !/\bselect\b/i.test(code)) return false;
  return !REFUSED.test(code);
}

export interface Endpoint {
  url: string;
  username: string;
  password: string;
  /** Shown in messages: the URL without credentials. */
  label: string;
}

/** Splits credentials out of the URL; the client gets the bare origin. */
export function parseEndpoint(url: string): Endpoint {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`unsupported scheme ${u.protocol} (use http:// or https://)`);
  }
  const username = decodeURIComponent(u.username) || 'default';
  const password = decodeURIComponent(u.password);
  const origin = `${u.protocol}//${u.host}`;
  return { url: origin, username, password, label: origin };
}

/** Statements in flight at once: the six the audit sends after the probe, never more. */
export const MAX_CONNECTIONS = 6;

/**
 * Bytes of an answer gathered before its complete lines are parsed: a 5 MB answer comes in 1,300
 * chunks of 4 KiB, each cut and decoded on its own otherwise.
 */
export const STREAM_BATCH_BYTES = 64 * 1024;

/** The largest answer of one query; past it the request is cut (a hostile server ignores settings). */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** An error the server sent: `Code: 516. DB::Exception: …` (the text of 18.x and of 2x.x servers). */
export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/** The code and message of a ClickHouse exception text; `null` when the text is not one. */
export function parseServerError(text: string, headerCode?: string): ServerError | null {
  const m = /Code: (\d+)[.,]\s*(?:e\.displayText\(\) = )?(?:DB::Exception: )?(.*)/s.exec(text);
  if (!m && !headerCode) return null;
  const message = (m?.[2] ?? text)
    .split('\n')[0]!
    .replace(/, e\.what\(\) = .*$/, '')
    .replace(/\s*\(version [^)]*\)\s*$/, '')
    .trim();
  return new ServerError(headerCode ?? m![1]!, message);
}

/**
 * The one way the collector talks to ClickHouse: its HTTP interface over node:http, reads only
 * (the statement guard), at most MAX_CONNECTIONS connections, no settings sent (a readonly=1 user may not change any).
 * Every answer is capped, every wait bounded by the idle timeout, all cut at the deadline.
 */
export class ReadOnlyClickHouse {
  queries = 0;
  private readonly run = Math.random().toString(36).slice(2, 10);
  private readonly agent: HttpAgent;
  private readonly auth: string;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly timeoutMs: number,
    projectDir: string,
    tlsCaFile?: string,
    private readonly signal?: AbortSignal,
  ) {
    // A few connections: the audit's statements run side by side (one after another they left the
    // process idle half the time), and never more than MAX_CONNECTIONS at once on the server.
    const pool = { keepAlive: true, maxSockets: MAX_CONNECTIONS };
    this.agent = endpoint.url.startsWith('https:')
      ? new HttpsAgent({
          ...pool,
          ...(tlsCaFile ? { ca: readFileSync(resolve(projectDir, tlsCaFile)) } : {}),
        })
      : new HttpAgent(pool);
    this.auth = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64')}`;
  }

  /** One read, rows as objects. */
  async select<R = Record<string, unknown>>(sql: string): Promise<R[]> {
    const rows: R[] = [];
    await this.selectEach<R>(sql, (row) => rows.push(row));
    return rows;
  }

  /**
   * One read, each row handed to `onRow` as soon as its line has arrived: the parse (and whatever
   * `onRow` makes of the row) keeps pace with the transfer instead of starting after it (the
   * columns answer of 10,000 tables is 5 MB, arriving over 20-80 ms in 4 KiB chunks).
   * The query id marks it as strisk's own in the query log.
   */
  async selectEach<R = Record<string, unknown>>(sql: string, onRow: (row: R) => void): Promise<void> {
    if (!isReadOnlyStatement(sql)) throw new NotReadOnlyError(sql);
    this.queries++;
    const params = new URLSearchParams({ query_id: `${QUERY_ID_PREFIX}${this.run}-${this.queries}` });
    const lines = new LineReader((line) => {
      let row: R;
      try {
        row = JSON.parse(line) as R;
      } catch {
        // An error in the middle of a streamed answer comes as text after the rows.
        throw (
          parseServerError(line) ??
          new WireError('not-http', 'the answer is not JSONEachRow: is it ClickHouse?')
        );
      }
      onRow(row);
    }, STREAM_BATCH_BYTES);
    const res = await boundedRequest({
      method: 'POST',
      origin: this.endpoint.url,
      path: `/?${params}`,
      headers: { authorization: this.auth, 'content-type': 'text/plain; charset=utf-8' },
      body: `${sql}\nFORMAT JSONEachRow`,
      agent: this.agent,
      maxBytes: MAX_ANSWER_BYTES,
      idleMs: this.timeoutMs,
      signal: this.signal,
      // Rows only from an answer that is not an error; an error's text is read whole below.
      stream: (status, headers) =>
        status === 200 && headers['x-clickhouse-exception-code'] === undefined
          ? (chunk) => lines.push(chunk)
          : undefined,
    });
    const headerCode = res.headers['x-clickhouse-exception-code'];
    if (res.status !== 200 || headerCode !== undefined) {
      const text = res.body.toString('utf8');
      throw (
        parseServerError(text, typeof headerCode === 'string' ? headerCode : undefined) ??
        new ServerError('', `HTTP ${res.status}: ${text.slice(0, 200).split('\n')[0]}`)
      );
    }
    lines.end();
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

// Server error codes (ClickHouse's ErrorCodes.cpp) and what they mean for the audit.
const AUTH_CODES = new Set(['192', '193', '194', '195', '516']); // unknown user, wrong password, required password, IP not allowed, authentication failed
const FORBIDDEN_CODES = new Set(['497', '164', '291', '81']); // access denied, readonly, database not allowed, unknown database
const TIMEOUT_CODES = new Set(['159', '209']); // timeout exceeded, socket timeout

/** Maps any failure to a target status and a message naming the cause. */
export function classifyError(err: unknown, label: string): TargetError {
  if (err instanceof TargetError) return err;
  if (err instanceof WireError) {
    if (err.kind === 'idle' || err.kind === 'deadline')
      return new TargetError('timeout', `${label}: ${err.message}`);
    const hint = err.kind === 'too-large' ? '' : ': is it ClickHouse?';
    return new TargetError('error', `${label}: ${err.message}${hint}`);
  }
  const e = err as { code?: unknown; message?: unknown; type?: unknown };
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]!.trim() : String(err);
  const code = e?.code === undefined ? '' : String(e.code);
  if (err instanceof NotReadOnlyError) return new TargetError('error', message);
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ECONNRESET' ||
    code === 'EAI_AGAIN'
  ) {
    return new TargetError('unreachable', `${label} unreachable: ${code}`);
  }
  if (/timeout/i.test(message) || code === 'ETIMEDOUT' || TIMEOUT_CODES.has(code)) {
    return new TargetError('timeout', `${label}: no answer in time (${message})`);
  }
  if (
    AUTH_CODES.has(code) ||
    /authentication failed|wrong password|password is incorrect|unknown user/i.test(message)
  ) {
    return new TargetError('auth-failed', `${label}: authentication failed: ${message}`);
  }
  if (FORBIDDEN_CODES.has(code) || /not enough privileges|access denied|is not allowed/i.test(message)) {
    return new TargetError('forbidden', `${label}: ${message}`);
  }
  if (/certificate|self[- ]signed|SSL|TLS/i.test(message))
    return new TargetError('error', `${label}: TLS: ${message}`);
  return new TargetError('error', `${label}: ${message}${code ? ` (code ${code})` : ''}`);
}

/**
 * Splits a byte stream into lines and hands each non-blank one on, decoded. A newline byte is never
 * part of a multi-byte UTF-8 character, so cutting at the last one in a chunk splits no character.
 */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** `batchBytes`: chunks are gathered up to this size before they are cut (a 5 MB answer comes in 4 KiB chunks). */
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly batchBytes = 0,
  ) {}

  push(chunk: Buffer): void {
    this.pendingBytes += chunk.length;
    const last = this.pendingBytes < this.batchBytes ? -1 : chunk.lastIndexOf(10);
    if (last === -1) {
      this.pending.push(chunk);
      return;
    }
    const head = chunk.subarray(0, last);
    const text = (this.pending.length === 0 ? head : Buffer.concat([...this.pending, head])).toString('utf8');
    this.pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    this.pendingBytes = chunk.length - last - 1;
    this.lines(text);
  }

  /** The last line, when the answer does not end with a newline. */
  end(): void {
    const rest = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    this.lines(rest);
  }

  private lines(text: string): void {
    for (let start = 0; start < text.length; ) {
      const newline = text.indexOf('\n', start);
      const end = newline === -1 ? text.length : newline;
      const line = text.slice(start, end);
      start = end + 1;
      if (line.trim() !== '') this.onLine(line);
    }
  }
}
