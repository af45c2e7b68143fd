import type { RedisFacts, RedisNode } from '../collectors/redis/schema.js';
import type { TargetFacts } from '../core/facts.js';

/** Pure helpers the Redis checks share: no I/O. */

export interface NodeView {
  /** The evidence subject: the target, and the node's address for a cluster. */
  subject: string;
  node: RedisNode;
}

/** Every node of every readable target: one per standalone server, every master of a cluster. */
export function redisNodes(targets: TargetFacts<RedisFacts>[]): NodeView[] {
  return targets.flatMap((t) =>
    (t.data?.nodes ?? []).map((node) => ({
      subject: t.data?.mode === 'cluster' ? `${t.target} (node ${node.address})` : t.target,
      node,
    })),
  );
}

export { evidenceStatus, worst } from '../core/status.js';
/** Binary units (`64 MiB`), one definition for the whole tool. */
export { formatBytes } from '../core/units.js';

/** `maxmemory 4gb`-style size for a redis.conf line or CONFIG SET. */
export function redisSize(bytes: number): string {
  const gb = 1024 ** 3;
  const mb = 1024 ** 2;
  if (bytes % gb === 0) return `${bytes / gb}gb`;
  if (bytes % mb === 0) return `${bytes / mb}mb`;
  return String(bytes);
}

/** Where the config values came from, for an evidence note. */
export function configNote(node: RedisNode): string {
  return node.config.source === 'info' ? `read from INFO: ${node.config.reason ?? 'CONFIG GET refused'}` : '';
}
