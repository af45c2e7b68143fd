import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectCompose } from '../../src/collectors/compose/index.js';
import { redactSecret } from '../../src/collectors/compose/normalize.js';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/st-risk-platform');

describe('secrets never enter the compose facts', () => {
  it('redacts secret-named variables and passwords in URLs, keeps the rest', () => {
    expect(redactSecret('POSTGRES_PASSWORD', 'hunter2')).toBe('***');
    expect(redactSecret('API_KEY', 'abc')).toBe('***');
    expect(redactSecret('DATABASE_URL', 'postgresql://risk:hunter2@db:5432/risk')).toBe(
      'postgresql://risk:***@db:5432/risk',
    );
    expect(redactSecret('REDIS_URL', 'redis://redis:6379/0')).toBe('redis://redis:6379/0');
    expect(redactSecret('LOG_LEVEL', 'info')).toBe('info');
    expect(redactSecret('EMPTY_PASSWORD', '')).toBe('');
  });

  it('keeps the example .env password out of the facts', async () => {
    const [target] = await collectCompose({ projectDir: EXAMPLE, env: {} });
    const text = JSON.stringify(target);
    expect(text).not.toContain('change-me');
    const api = target!.data!.services.find((s) => s.name === 'api')!;
    expect(api.environment.DATABASE_URL?.value).toBe('postgresql://risk:***@pgbouncer:6432/risk');
    expect(api.environment.LOG_LEVEL?.value).toBe('info');
  });
});
