// The one way the collector talks to ClickHouse: reads only, counted, no settings sent.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { TargetStatus } from '../../core/facts.js';
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

export class ReadOnlyClickHouse {
  queries = 0;
  private readonly client: ClickHouseClient;
  private readonly run = Math.random().toString(36).slice(2, 10);

  constructor(endpoint: Endpoint, timeoutMs: number, projectDir: string, tlsCaFile?: string) {
    this.client = createClient({
      url: endpoint.url,
      username: endpoint.username,
      password: endpoint.password,
      request_timeout: timeoutMs,
      application: 'strisk',
      // A readonly=1 user may not change settings: no compression (it is a setting), no settings.
      compression: { request: false, response: false },
      max_open_connections: 1,
      keep_alive: { enabled: true },
      log: { level: ClickHouseLogLevel.OFF },
      ...(tlsCaFile ? { tls: { ca_cert: readFileSync(resolve(projectDir, tlsCaFile)) } } : {}),
    });
  }

  /** One read, rows as objects. The query id marks it as strisk's own in the query log. */
  async select<R = Record<string, unknown>>(sql: string): Promise<R[]> {
    if (!isReadOnlyStatement(sql)) throw new NotReadOnlyError(sql);
    this.queries++;
    const rs = await this.client.query({
      query: sql,
      format: 'JSONEachRow',
      query_id: `${QUERY_ID_PREFIX}${this.run}-${this.queries}`,
    });
    return rs.json<R>();
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => {});
  }
}

// Server error codes (ClickHouse's ErrorCodes.cpp) and what they mean for the audit.
const AUTH_CODES = new Set(['192', '193', '194', '195', '516']); // unknown user, wrong password, required password, IP not allowed, authentication failed
const FORBIDDEN_CODES = new Set(['497', '164', '291', '81']); // access denied, readonly, database not allowed, unknown database
const TIMEOUT_CODES = new Set(['159', '209']); // timeout exceeded, socket timeout

/** Maps any failure to a target status and a message naming the cause. */
export function classifyError(err: unknown, label: string): TargetError {
  if (err instanceof TargetError) return err;
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
