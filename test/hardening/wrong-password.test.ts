import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { requireService } from '../support/services.js';

const BIN = resolve(import.meta.dirname, '../../bin/strisk.js');
const REDIS_PW = 'Wr0ngRedisPw';
const PG_PW = 'Wr0ngPgPw';

/** The real servers, the right user, the wrong password. */
function wrong(url: string, password: string): string {
  const u = new URL(url);
  u.username ||= 'auditor';
  u.password = password;
  return u.toString();
}

describe('a wrong Redis and PostgreSQL password (real servers)', () => {
  it('shows neither password anywhere, both users the same way, one error block per source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-wrongpw-'));
    const redis = wrong(requireService('STRISK_TEST_REDIS_ACL'), REDIS_PW);
    const postgres = wrong(requireService('STRISK_TEST_PG_GOOD'), PG_PW);
    const json = join(dir, 'report.json');
    const sarif = join(dir, 'report.sarif');
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'audit',
        dir,
        ...['--only', 'redis', '--only', 'postgres', '--redis', redis, '--postgres', postgres],
        ...['--format', 'terminal', '--format', `json=${json}`, '--format', `sarif=${sarif}`],
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, COLUMNS: '200' }, timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(3);
    const outputs = {
      terminal: r.stdout + r.stderr,
      json: readFileSync(json, 'utf8'),
      sarif: readFileSync(sarif, 'utf8'),
    };
    for (const [name, text] of Object.entries(outputs)) {
      for (const pw of [REDIS_PW, PG_PW]) {
        const forms = [pw, Buffer.from(`auditor:${pw}`).toString('base64')];
        for (const form of forms) expect(text, `${name} shows ${form}`).not.toContain(form);
      }
    }

    const report = JSON.parse(outputs.json) as Report;
    const bySource = (s: string) => report.sources.filter((x) => x.source === s);
    expect(bySource('redis')).toHaveLength(1);
    expect(bySource('postgres')).toHaveLength(1);
    const [redisTarget, pgTarget] = [bySource('redis')[0]!, bySource('postgres')[0]!];
    expect(redisTarget).toMatchObject({
      status: 'auth-failed',
      target: expect.stringMatching(/^redis:\/\/auditor:\*\*\*@127\.0\.0\.1:\d+$/),
    });
    expect(pgTarget).toMatchObject({
      status: 'auth-failed',
      target: expect.stringMatching(/^postgres:\/\/auditor:\*\*\*@127\.0\.0\.1:\d+\/app$/),
    });

    // The terminal: one block per source, headed by the same redacted name the JSON has.
    const lines = r.stdout.split('\n');
    const heads = lines.filter((l) => /^! .* could not be read/.test(l));
    expect(heads).toEqual([
      `! postgres ${pgTarget.target} could not be read: auth-failed`,
      `! redis ${redisTarget.target} could not be read: auth-failed`,
    ]);
    for (const source of ['redis', 'postgres']) {
      expect(lines.filter((l) => l.includes('checks not judged') && l.includes(`${source}/`))).toHaveLength(
        1,
      );
    }
    expect(outputs.sarif).toContain(pgTarget.target);
    expect(outputs.sarif).toContain(redisTarget.target);
  }, 90_000);
});
