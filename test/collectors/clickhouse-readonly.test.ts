import { describe, expect, it } from 'vitest';
import { isReadOnlyStatement } from '../../src/collectors/clickhouse/client.js';

describe('clickhouse read-only statement guard', () => {
  it('refuses the cluster and cloud variants of the table functions that reach out', () => {
    for (const bad of [
      "SELECT * FROM s3Cluster('c', 'http://x/a.csv')",
      "SELECT * FROM urlCluster('c', 'http://x')",
      "SELECT * FROM hdfsCluster('c', 'hdfs://x')",
      "SELECT * FROM fileCluster('c', 'a.csv')",
      "SELECT * FROM azureBlobStorage('x')",
      "SELECT * FROM gcs('https://x')",
      "SELECT * FROM mongodb('h:27017', 'db', 'c', 'u', 'p', 'x String')",
      "SELECT * FROM sqlite('/tmp/x.db', 't')",
    ]) {
      expect(isReadOnlyStatement(bad), bad).toBe(false);
    }
    expect(isReadOnlyStatement('SELECT name FROM system.clusters')).toBe(true);
  });
});
