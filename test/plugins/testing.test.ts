// strisk/testing on built-in checks: the same API a plugin's tests use, under vitest.
import { AssertionError } from 'node:assert';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import composeHealthcheck from '../../src/checks/compose/healthcheck.js';
import redisAof from '../../src/checks/redis/aof.js';
import redisMaxmemory from '../../src/checks/redis/maxmemory.js';
import { assertCheck, assertPlugin, CheckTester, fixtureCases, runCheckOn } from '../../src/testing/index.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/checks');

// Registers one vitest test per fixture of redis/aof, with the status its name says.
new CheckTester({ describe, it }).fixtures(redisAof, join(FIXTURES, 'redis/aof'));

describe('strisk/testing', () => {
  it('names fixture cases by their prefix: recordings and project directories', () => {
    const cases = fixtureCases(join(FIXTURES, 'compose/healthcheck'));
    expect(cases.map((c) => [c.name, c.expect])).toEqual([
      ['failure', 'fail'],
      ['failure-disabled', 'fail'],
      ['failure-dockerfile-none', 'fail'],
      ['skip-one-shot-only', 'skip'],
      ['success', 'pass'],
      ['success-dockerfile-target', 'pass'],
    ]);
  });

  it('runs a check on a project directory, collecting its compose file and Dockerfile', async () => {
    const result = await runCheckOn(composeHealthcheck, {
      dir: join(FIXTURES, 'compose/healthcheck/failure'),
    });
    expect(result.status).toBe('fail');
    expect(result.evidence.some((e) => e.file?.endsWith('compose.yaml') && typeof e.line === 'number')).toBe(
      true,
    );
  });

  it('applies the options as the config would', async () => {
    const facts = join(FIXTURES, 'redis/aof/failure.facts.json');
    const result = await runCheckOn(redisMaxmemory, { facts }, { maxFractionOfMemory: 2 });
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/invalid options/);
  });

  it('throws an AssertionError that shows the result when the status differs', async () => {
    const facts = join(FIXTURES, 'redis/aof/failure.facts.json');
    const err = await assertCheck(redisAof, { facts, expect: 'pass' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssertionError);
    expect((err as Error).message).toMatch(/^redis\/aof: expected pass, got fail\nresult: \{/);
  });

  it('checks the message and evidence it is told to', async () => {
    const facts = join(FIXTURES, 'redis/aof/failure.facts.json');
    const result = await assertCheck(redisAof, { facts, expect: 'fail' });
    const subject = result.evidence[0]!.subject;
    await assertCheck(redisAof, { facts, expect: { status: 'fail', evidence: [{ subject }] } });
    await expect(
      assertCheck(redisAof, {
        facts,
        expect: { status: 'fail', evidence: [{ subject: 'redis://elsewhere' }] },
      }),
    ).rejects.toThrow(/no evidence matches/);
    await expect(
      assertCheck(redisAof, { facts, expect: { status: 'fail', message: /^never$/ } }),
    ).rejects.toThrow(/message does not match/);
  });

  it('validates a plugin as strisk audit would', () => {
    expect(() => assertPlugin({ apiVersion: 1, namespace: 'org', checks: [redisAof] })).toThrow(
      'plugin under test: check id "redis/aof" is not org/<noun> (kebab-case)',
    );
  });
});
