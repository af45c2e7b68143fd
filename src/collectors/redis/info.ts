import type { ReadOnlyRedis } from './client.js';
import type { RedisConfig } from './schema.js';

export type Info = Map<string, string>;

/** `INFO` text: `# Section` headers and `field:value` lines. */
export function parseInfo(text: string): Info {
  const info: Info = new Map();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) info.set(line.slice(0, i), line.slice(i + 1));
  }
  return info;
}

export function infoNumber(info: Info, field: string): number | null {
  const v = info.get(field);
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** `db0:keys=5,expires=3,avg_ttl=0` lines of the keyspace section. */
export function keyspaceOf(info: Info): { db: number; keys: number; expires: number }[] {
  const out: { db: number; keys: number; expires: number }[] = [];
  for (const [field, value] of info) {
    const m = /^db(\d+)$/.exec(field);
    if (!m) continue;
    const kv = new Map(value.split(',').map((p) => p.split('=') as [string, string]));
    out.push({
      db: Number(m[1]),
      keys: Number(kv.get('keys') ?? 0),
      expires: Number(kv.get('expires') ?? 0),
    });
  }
  return out.sort((a, b) => a.db - b.db);
}

export const CONFIG_PARAMS = ['maxmemory', 'maxmemory-policy', 'appendonly', 'appendfsync'] as const;

function fromPairs(reply: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const flat = Array.isArray(reply) ? reply : [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.set(String(flat[i]).toLowerCase(), String(flat[i + 1]));
  return out;
}

function fromConfig(pairs: Map<string, string>): RedisConfig {
  const mm = pairs.get('maxmemory');
  const aof = pairs.get('appendonly');
  return {
    source: 'config',
    maxmemoryBytes: mm === undefined ? null : Number(mm),
    maxmemoryPolicy: pairs.get('maxmemory-policy') ?? null,
    appendonly: aof === undefined ? null : aof === 'yes',
    appendfsync: pairs.get('appendfsync') ?? null,
  };
}

/** The same facts from INFO, for servers where CONFIG is refused (ACLs, managed services). */
export function configFromInfo(info: Info, reason: string): RedisConfig {
  const aof = info.get('aof_enabled');
  return {
    source: 'info',
    reason,
    maxmemoryBytes: infoNumber(info, 'maxmemory'),
    maxmemoryPolicy: info.get('maxmemory_policy') ?? null,
    appendonly: aof === undefined ? null : aof === '1',
    appendfsync: null,
  };
}

const refused = (msg: string) => /^NOPERM|unknown command|renamed|not allowed/i.test(msg);

/**
 * INFO and CONFIG GET in one round trip. Redis 7 takes several parameters in one CONFIG GET;
 * on 6.x that is an error, and the parameters are asked one each (one more round trip).
 */
export async function readInfoAndConfig(client: ReadOnlyRedis): Promise<{ info: Info; config: RedisConfig }> {
  const [infoRes, configRes] = await client.batch([['info'], ['config', 'get', ...CONFIG_PARAMS]]);
  if (!infoRes || infoRes.error) throw infoRes?.error ?? new Error('no reply to INFO');
  const info = parseInfo(String(infoRes.reply));
  if (!configRes?.error) return { info, config: fromConfig(fromPairs(configRes?.reply)) };

  const msg = configRes.error.message;
  if (refused(msg)) return { info, config: configFromInfo(info, `CONFIG GET refused: ${msg}`) };
  if (/^LOADING/.test(msg)) throw configRes.error;
  const each = await client.batch(CONFIG_PARAMS.map((p) => ['config', 'get', p] as const));
  const failed = each.find((r) => r.error);
  if (failed?.error) {
    if (refused(failed.error.message)) {
      return { info, config: configFromInfo(info, `CONFIG GET refused: ${failed.error.message}`) };
    }
    throw failed.error;
  }
  const pairs = new Map<string, string>();
  for (const r of each) for (const [k, v] of fromPairs(r.reply)) pairs.set(k, v);
  return { info, config: fromConfig(pairs) };
}
